// The keyboard shortcuts of the current page and of the whole console, in a modal dialog (`?`).
import { useEffect, useRef } from 'react';
import { keyName, useActiveShortcuts } from './keyboard';
import type { ShortcutGroup } from './keyboard';

export function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const groups = useActiveShortcuts();

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog ref={dialog} aria-labelledby="help-title" onClose={onClose} className="help">
      <h2 id="help-title">Keyboard shortcuts</h2>
      <p>Shortcuts work when no text field has the focus; press Esc to leave a field.</p>
      {[...groups].reverse().map((group) => (
        <ShortcutTable key={group.title} group={group} />
      ))}
      <form method="dialog">
        <button type="submit" autoFocus>
          Close
        </button>
      </form>
    </dialog>
  );
}

export function ShortcutTable({ group }: { group: ShortcutGroup }) {
  if (group.shortcuts.length === 0) return null;
  return (
    <table className="shortcuts">
      <caption>{group.title}</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Does</th>
        </tr>
      </thead>
      <tbody>
        {group.shortcuts.map((shortcut) => (
          <tr key={shortcut.label}>
            <td>
              {shortcut.keys.map((key, index) => (
                <span key={key}>
                  {index > 0 && ' or '}
                  <kbd>{keyName(key)}</kbd>
                </span>
              ))}
            </td>
            <td>{shortcut.label}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The shortcuts that work on the current page, listed on the page itself. */
export function ActiveShortcuts() {
  const groups = useActiveShortcuts();
  return (
    <aside aria-labelledby="page-shortcuts" className="shortcut-hint">
      <h2 id="page-shortcuts">Keyboard shortcuts</h2>
      {groups
        .filter((group) => group.title !== 'Everywhere')
        .map((group) => (
          <ShortcutTable key={group.title} group={group} />
        ))}
      <p>
        Press <kbd>?</kbd> for all shortcuts and <kbd>/</kbd> to search.
      </p>
    </aside>
  );
}
