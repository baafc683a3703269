// The review queue: cases in the order the server ranks them, with the reasons for that order. j/k move,
// Enter opens, n claims the next case.
import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from './api';
import type { CaseStatus, CaseSummary } from './api';
import { CaseTable } from './case-table';
import { useConsole, useTitle } from './context';
import { ActiveShortcuts } from './help-dialog';
import { useShortcuts } from './keyboard';
import type { Shortcut } from './keyboard';
import { nothingToClaim, plural } from './format';
import { navigate } from './router';

const statusFilters: { value: CaseStatus | ''; label: string }[] = [
  { value: '', label: 'Open cases' },
  { value: 'new', label: 'New' },
  { value: 'in_review', label: 'In review' },
  { value: 'second_opinion', label: 'Second opinion asked' },
  { value: 'awaiting_agreement', label: 'Awaiting agreement' },
  { value: 'escalated', label: 'Escalated' },
  { value: 'decided', label: 'Decided' },
];
const pageSize = 50;
const refreshMs = 30_000;

export function QueuePage() {
  useTitle('Queue');
  const { session, announce } = useConsole();
  const [status, setStatus] = useState<CaseStatus | ''>('');
  const [cases, setCases] = useState<CaseSummary[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  const [error, setError] = useState<string>();
  const [heldByOthers, setHeldByOthers] = useState(0);

  const load = useCallback(async () => {
    try {
      const page = await api.queue({ limit: pageSize, ...(status === '' ? {} : { status }) });
      setCases(page.cases);
      setCursor(page.next_cursor);
      setHeldByOthers(page.held_by_others);
      setSelected((index) => Math.min(index, Math.max(0, page.cases.length - 1)));
      setError(undefined);
    } catch (failed) {
      setError(messageOf(failed));
    }
  }, [status]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, refreshMs);
    return () => window.clearInterval(timer);
  }, [load]);

  const more = async () => {
    if (cursor === null) return;
    try {
      const page = await api.queue({ limit: pageSize, cursor, ...(status === '' ? {} : { status }) });
      setCases((current) => [...(current ?? []), ...page.cases]);
      setCursor(page.next_cursor);
    } catch (failed) {
      announce(messageOf(failed), 'error');
    }
  };

  const claimNext = async () => {
    try {
      const next = await api.claimNext();
      if ('claimed' in next) navigate(`/cases/${next.claimed.id}`);
      else announce(nothingToClaim(next.heldByOthers));
    } catch (failed) {
      announce(messageOf(failed), 'error');
    }
  };

  const count = cases?.length ?? 0;
  const shortcuts: Shortcut[] = [
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
    { keys: ['n'], label: 'claim the next case in the queue', run: () => void claimNext() },
  ];
  useShortcuts('Queue', shortcuts);

  return (
    <section aria-labelledby="queue-title">
      <div className="page-head">
        <h1 id="queue-title">Review queue</h1>
        <div className="actions">
          <label htmlFor="queue-status">Show</label>
          <select
            id="queue-status"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as CaseStatus | '');
              setSelected(0);
            }}
          >
            {statusFilters.map((filter) => (
              <option key={filter.value} value={filter.value}>
                {filter.label}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => void load()}>
            Refresh
          </button>
          <button type="button" className="primary" onClick={() => void claimNext()} aria-keyshortcuts="n">
            Claim next case <kbd>n</kbd>
          </button>
        </div>
      </div>
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {cases === undefined && error === undefined && <p aria-busy="true">Loading the queue…</p>}
      {cases !== undefined && cases.length === 0 && <p>No cases here. Well done.</p>}
      {heldByOthers > 0 && (
        <p data-testid="held-by-others">
          {plural(heldByOthers, 'open case')} {heldByOthers === 1 ? 'is' : 'are'} held by others right now.
        </p>
      )}
      {cases !== undefined && cases.length > 0 && (
        <CaseTable
          cases={cases}
          selected={selected}
          session={session}
          caption={`${plural(cases.length, 'case')}${cursor === null ? '' : ' shown'}, most urgent first. Media is blurred.`}
        />
      )}
      {cursor !== null && (
        <button type="button" onClick={() => void more()}>
          Show more cases
        </button>
      )}
      <ActiveShortcuts />
    </section>
  );
}
