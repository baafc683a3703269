// Keyboard shortcuts, so that an analyst never needs the mouse in the queue. A page declares its shortcuts
// with useShortcuts(); they are active while the page is shown and listed by the help dialog (`?`).
// Letters typed into a field are text, not shortcuts: Escape leaves the field first.
import { useEffect, useRef, useSyncExternalStore } from 'react';

export interface Shortcut {
  /** KeyboardEvent.key values, e.g. ['j', 'ArrowDown']. */
  keys: string[];
  /** What it does, for the help dialog and the page's list. */
  label: string;
  run: () => void;
  /** Off when the action does not apply (the key is then neither handled nor listed). */
  enabled?: boolean;
}

export interface ShortcutGroup {
  title: string;
  shortcuts: Shortcut[];
}

const groups = new Map<symbol, ShortcutGroup>();
let listed: ShortcutGroup[] = [];
const listeners = new Set<() => void>();

function publish(): void {
  listed = [...groups.values()];
  listeners.forEach((listener) => listener());
}

/** Every active group of shortcuts, for the help dialog. */
export function useActiveShortcuts(): ShortcutGroup[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => listed,
  );
}

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

function isActivatable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && ['BUTTON', 'A', 'SUMMARY'].includes(target.tagName);
}

/** A key's name for people: "j", "↓", "Enter", "Esc". */
export function keyName(key: string): string {
  const names: Record<string, string> = {
    ArrowDown: '↓',
    ArrowUp: '↑',
    ArrowLeft: '←',
    ArrowRight: '→',
    Escape: 'Esc',
    ' ': 'Space',
  };
  return names[key] ?? key;
}

export function useShortcuts(title: string, shortcuts: Shortcut[]): void {
  const current = useRef(shortcuts);
  current.current = shortcuts;
  const id = useRef(Symbol(title));

  const active = shortcuts.filter((shortcut) => shortcut.enabled !== false);
  const signature = `${title}|${active.map((shortcut) => `${shortcut.keys.join(',')}:${shortcut.label}`).join('|')}`;
  useEffect(() => {
    // Listed again only when what a person would read changes, so the help dialog does not re-render
    // the page that declares the shortcuts.
    groups.set(id.current, {
      title,
      shortcuts: current.current.filter((shortcut) => shortcut.enabled !== false),
    });
    publish();
  }, [signature, title]);

  useEffect(() => {
    const key = id.current;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing)
        return;
      if (isTyping(event.target)) return;
      if (document.querySelector('dialog[open]') !== null) return;
      // Enter and Space on a focused button or link keep their usual meaning.
      if ((event.key === 'Enter' || event.key === ' ') && isActivatable(event.target)) return;
      const shortcut = current.current.find(
        (candidate) => candidate.enabled !== false && candidate.keys.includes(event.key),
      );
      if (shortcut === undefined) return;
      event.preventDefault();
      shortcut.run();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      groups.delete(key);
      publish();
    };
  }, []);
}
