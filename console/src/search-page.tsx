// Search for cases by URL, hash (SHA-256, MD5, PDQ), public reference or case number.
import { useEffect, useState } from 'react';
import { api, messageOf } from './api';
import type { CaseSummary } from './api';
import { CaseTable } from './case-table';
import { useConsole, useTitle } from './context';
import { plural } from './format';
import { useShortcuts } from './keyboard';
import { navigate } from './router';

export function SearchPage({ text }: { text: string }) {
  useTitle(text === '' ? 'Search' : `Search: ${text}`);
  const { session } = useConsole();
  const [cases, setCases] = useState<CaseSummary[]>();
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState(0);

  useEffect(() => {
    let live = true;
    setCases(undefined);
    setError(undefined);
    setSelected(0);
    if (text.trim() === '') return;
    api.search(text.trim()).then(
      (found) => live && setCases(found.cases),
      (failed: unknown) => live && setError(messageOf(failed)),
    );
    return () => {
      live = false;
    };
  }, [text]);

  const count = cases?.length ?? 0;
  useShortcuts('Search results', [
    {
      keys: ['j', 'ArrowDown'],
      label: 'select the next case',
      run: () => setSelected((index) => Math.min(index + 1, count - 1)),
      enabled: count > 0,
    },
    {
      keys: ['k', 'ArrowUp'],
      label: 'select the previous case',
      run: () => setSelected((index) => Math.max(index - 1, 0)),
      enabled: count > 0,
    },
    {
      keys: ['Enter', 'o'],
      label: 'open the selected case',
      run: () => {
        const item = cases?.[selected];
        if (item !== undefined) navigate(`/cases/${item.id}`);
      },
      enabled: count > 0,
    },
  ]);

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">{text === '' ? 'Search' : `Search results for “${text}”`}</h1>
      {text === '' && (
        <p>
          Type a URL, a SHA-256, MD5 or PDQ hash, a public reference or a case number into the search field at
          the top (press <kbd>/</kbd>).
        </p>
      )}
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {text !== '' && cases === undefined && error === undefined && <p aria-busy="true">Searching…</p>}
      {cases !== undefined && cases.length === 0 && <p>No case matches.</p>}
      {cases !== undefined && cases.length > 0 && (
        <CaseTable
          cases={cases}
          selected={selected}
          session={session}
          caption={`${plural(cases.length, 'case')} found`}
        />
      )}
    </section>
  );
}
