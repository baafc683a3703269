// One case: claimed on opening and held while the page is open (a heartbeat renews the claim; closing or
// reloading the tab releases it), media blurred until revealed, the reports and signals, the decision
// form with a verdict per item, and the history. Esc releases the case and goes back to the queue; after a
// decision the console goes back to the queue, or takes the next case when the analyst asked for that.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, messageOf } from './api';
import type { CaseDetail, DecisionInput } from './api';
import { CaseHistory, CaseReports, CaseSignals, PendingConfirmation } from './case-record';
import { useConsole, useReviewConfig, useTitle } from './context';
import { DecisionForm, choicesFor } from './decision-form';
import { EvidencePanel } from './evidence-panel';
import { actorName, categoryName, dateTime, nothingToClaim, plural, statusName } from './format';
import { ActiveShortcuts } from './help-dialog';
import { useShortcuts } from './keyboard';
import type { Shortcut } from './keyboard';
import { Link, navigate } from './router';

export function CasePage({ id }: { id: number }) {
  useTitle(`Case ${id}`);
  const { session, setSession, announce } = useConsole();
  const { config, error: configError } = useReviewConfig();
  const [detail, setDetail] = useState<CaseDetail>();
  const [loadError, setLoadError] = useState<string>();
  const [lockProblem, setLockProblem] = useState<string>();
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [revealing, setRevealing] = useState<string>();
  const [busy, setBusy] = useState(false);
  // Whether this page holds the case's lock, so that leaving releases it exactly once.
  const holding = useRef(false);
  const everRevealed = useRef(new Set<string>());
  const objectUrls = useRef(new Set<string>());
  const me = `user:${session.user.id}`;

  const [holds, setHolds] = useState(false);
  // The items this person revealed in their claim (from the server after a reload, then as they reveal).
  const [seen, setSeen] = useState<ReadonlySet<string>>(new Set());
  /** Takes (or takes again) the claim; the items revealed in this claim come back from the server. */
  const held = useCallback(
    (claimed: CaseDetail) => {
      holding.current = true;
      setHolds(true);
      setLockProblem(undefined);
      if (claimed.claim?.actor === me) claimed.claim.revealed.forEach((sha) => everRevealed.current.add(sha));
      setSeen(new Set(everRevealed.current));
      setDetail(claimed);
    },
    [me],
  );

  useEffect(() => {
    let live = true;
    api.claim(id).then(
      (claimed) => {
        if (!live) {
          api.releaseOnLeave(id);
          return;
        }
        held(claimed);
      },
      async (failed: unknown) => {
        // Someone else holds it, or it cannot be claimed (decided): show it read-only.
        if (!(failed instanceof ApiError) || failed.status === 401) {
          if (live) setLoadError(messageOf(failed));
          return;
        }
        try {
          const read = await api.getCase(id);
          if (!live) return;
          setDetail(read);
          if (failed.code === 'conflict' || failed.code === 'forbidden') setLockProblem(failed.message);
        } catch (reading) {
          if (live) setLoadError(messageOf(reading));
        }
      },
    );
    const urls = objectUrls.current;
    // Closing or reloading the tab lets the case go at once (React's cleanup does not run then).
    const leave = () => {
      if (holding.current) api.releaseOnLeave(id);
      holding.current = false;
    };
    window.addEventListener('pagehide', leave);
    return () => {
      live = false;
      window.removeEventListener('pagehide', leave);
      leave();
      setHolds(false);
      urls.forEach((url) => URL.revokeObjectURL(url));
      urls.clear();
    };
  }, [id, held]);

  // While the page holds the case, a heartbeat renews the claim; once it is no longer ours, say so.
  const heartbeatMs = config?.heartbeat_ms ?? 30_000;
  useEffect(() => {
    if (!holds) return;
    const timer = window.setInterval(() => {
      api.heartbeat(id).catch((failed: unknown) => {
        if (!(failed instanceof ApiError) || failed.status !== 409) return;
        holding.current = false;
        setHolds(false);
        setLockProblem(failed.message);
      });
    }, heartbeatMs);
    return () => window.clearInterval(timer);
  }, [holds, id, heartbeatMs]);

  const reveal = useCallback(
    async (sha256: string) => {
      if (revealed[sha256] !== undefined || revealing !== undefined) return;
      setRevealing(sha256);
      try {
        const shown = await api.reveal(sha256, id);
        objectUrls.current.add(shown.objectUrl);
        everRevealed.current.add(sha256);
        if (holding.current) setSeen(new Set(everRevealed.current));
        setRevealed((current) => ({ ...current, [sha256]: shown.objectUrl }));
        const today = shown.exposureToday ?? session.exposure_today + 1;
        setSession({ ...session, exposure_today: today });
        announce(
          today >= session.settings.exposure_warning
            ? `Revealed. You have revealed ${plural(today, 'item')} today, at or above your warning level of ${session.settings.exposure_warning}.`
            : `Revealed. You have revealed ${plural(today, 'item')} today.`,
        );
      } catch (failed) {
        announce(messageOf(failed), 'error');
      } finally {
        setRevealing(undefined);
      }
    },
    [announce, id, revealed, revealing, session, setSession],
  );

  const hide = useCallback((sha256?: string) => {
    setRevealed((current) => {
      const kept: Record<string, string> = {};
      for (const [key, url] of Object.entries(current)) {
        if (sha256 === undefined || key === sha256) {
          URL.revokeObjectURL(url);
          objectUrls.current.delete(url);
        } else kept[key] = url;
      }
      return kept;
    });
  }, []);

  // With the person's settings allowing unblurred media, the first image is shown at once (and audited,
  // like any reveal); the others still wait for a deliberate reveal.
  const autoRevealed = useRef(false);
  useEffect(() => {
    if (detail === undefined || session.settings.blur || autoRevealed.current) return;
    autoRevealed.current = true;
    const first = detail.media.find((item) => item.mime.startsWith('image/'));
    if (first !== undefined) void reveal(first.sha256);
  }, [detail, reveal, session.settings.blur]);

  const letGo = async () => {
    if (!holding.current) return;
    holding.current = false;
    setHolds(false);
    await api.release(id).catch(() => undefined);
  };

  const backToQueue = async () => {
    await letGo();
    navigate('/');
  };

  const decide = async (input: DecisionInput, takeNext: boolean) => {
    if (detail === undefined) return;
    setBusy(true);
    try {
      const decided = await api.decide(id, input);
      holding.current = false;
      setHolds(false);
      setDetail(decided);
      const words =
        decided.status === 'awaiting_agreement'
          ? `Case ${id} confirmed; it now waits for a second analyst to agree.`
          : `Decision recorded on case ${id}: ${statusName(decided.status)}.`;
      if (takeNext) await moveOn(words);
      else {
        announce(words);
        navigate('/');
      }
    } catch (failed) {
      announce(messageOf(failed), 'error');
    } finally {
      setBusy(false);
    }
  };

  // The next case in the queue, or the queue itself when none is free.
  const moveOn = async (words: string) => {
    try {
      const next = await api.claimNext();
      if ('claimed' in next && next.claimed.id !== id) {
        announce(`${words} Next: case ${next.claimed.id}.`);
        navigate(`/cases/${next.claimed.id}`);
        return;
      }
      if ('claimed' in next) await api.release(next.claimed.id).catch(() => undefined);
      announce(`${words} ${nothingToClaim('heldByOthers' in next ? next.heldByOthers : 0)}`);
    } catch (failed) {
      announce(`${words} ${messageOf(failed)}`);
    }
    navigate('/');
  };

  // A supervisor or an admin frees a case someone left held (audited), then may take it.
  const senior = session.user.role === 'supervisor' || session.user.role === 'admin';
  const releaseOthers = async () => {
    try {
      await api.release(id);
      announce(`Released case ${id}; it is back in the queue.`);
      held(await api.claim(id));
    } catch (failed) {
      announce(messageOf(failed), 'error');
    }
  };
  const claimAgain = async () => {
    try {
      held(await api.claim(id));
    } catch (failed) {
      announce(messageOf(failed), 'error');
    }
  };

  const choices = detail === undefined || lockProblem !== undefined ? [] : choicesFor(detail, me);

  const media = detail?.media ?? [];
  const focusedSha = (): string | undefined => {
    const active = document.activeElement?.closest('[data-sha256]');
    const sha = active instanceof HTMLElement ? active.dataset.sha256 : undefined;
    return sha ?? media.find((item) => revealed[item.sha256] === undefined)?.sha256;
  };
  const shortcuts: Shortcut[] = [
    {
      keys: ['r'],
      label: 'reveal the focused (or first hidden) item; recorded in the audit log',
      run: () => {
        const sha = focusedSha();
        if (sha !== undefined) void reveal(sha);
      },
      enabled: media.length > 0,
    },
    { keys: ['h'], label: 'hide all revealed media again', run: () => hide(), enabled: media.length > 0 },
    {
      keys: ['n'],
      label: 'release this case and claim the next one',
      run: () => void letGo().then(() => moveOn(`Released case ${id}.`)),
    },
    { keys: ['Escape'], label: 'release this case and go back to the queue', run: () => void backToQueue() },
  ];
  useShortcuts(`Case ${id}`, shortcuts);

  if (loadError !== undefined) {
    return (
      <section aria-labelledby="case-title">
        <h1 id="case-title">Case {id}</h1>
        <p role="alert" className="error">
          {loadError}
        </p>
        <Link to="/">Back to the queue</Link>
      </section>
    );
  }
  if (detail === undefined) {
    return (
      <section aria-labelledby="case-title" aria-busy="true">
        <h1 id="case-title">Case {id}</h1>
        <p>Claiming the case…</p>
      </section>
    );
  }

  return (
    <article aria-labelledby="case-title" className="case" data-status={detail.status}>
      <div className="page-head">
        <h1 id="case-title">
          Case {detail.id}{' '}
          <span className={`status status-${detail.status}`} data-testid="case-status">
            {statusName(detail.status)}
          </span>
        </h1>
        <div className="actions">
          <button type="button" onClick={() => void backToQueue()} aria-keyshortcuts="Escape">
            Back to the queue <kbd>Esc</kbd>
          </button>
        </div>
      </div>
      {lockProblem !== undefined && (
        <div className="notice" role="alert">
          <p>
            {lockProblem} You can read the case, but not decide it
            {detail.locked_by !== null && <> while {actorName(detail.locked_by, session)} holds it</>}.
          </p>
          {senior && detail.locked_by !== null && detail.locked_by !== me ? (
            <button type="button" onClick={() => void releaseOthers()}>
              Release the lock held by {actorName(detail.locked_by, session)}
            </button>
          ) : (
            detail.status !== 'decided' &&
            detail.status !== 'merged' && (
              <button type="button" onClick={() => void claimAgain()}>
                Claim this case again
              </button>
            )
          )}
        </div>
      )}
      {configError !== undefined && (
        <p role="alert" className="error">
          {configError}
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Category</dt>
          <dd>
            {categoryName(detail.category)}
            {detail.grade !== '' && `, grade ${detail.grade}`}
          </dd>
        </div>
        <div>
          <dt>Why it sits here</dt>
          <dd>{detail.reasons.join('; ')}</dd>
        </div>
        <div>
          <dt>First reported</dt>
          <dd>{dateTime(detail.first_reported_at)}</dd>
        </div>
        <div>
          <dt>Held by</dt>
          <dd>
            {actorName(detail.locked_by, session)}
            {detail.locked_until !== null &&
              detail.locked_by !== null &&
              ` until ${dateTime(detail.locked_until)}`}
          </dd>
        </div>
      </dl>
      <div className="case-columns">
        <EvidencePanel
          caseId={detail.id}
          media={detail.media}
          revealed={revealed}
          revealing={revealing}
          greyscale={session.settings.greyscale}
          exposureToday={session.exposure_today}
          exposureWarning={session.settings.exposure_warning}
          onReveal={(sha) => void reveal(sha)}
          onHide={(sha) => hide(sha)}
        />
        <div>
          <PendingConfirmation detail={detail} session={session} />
          {config === undefined ? (
            configError === undefined && <p aria-busy="true">Loading the categories…</p>
          ) : (
            <DecisionForm
              key={`${detail.id}-${detail.status}`}
              detail={detail}
              config={config}
              choices={choices}
              busy={busy}
              revealed={seen}
              revealRule={config.reveal_before_confirm}
              onDecide={(input, takeNext) => void decide(input, takeNext)}
              onProblem={(message) => announce(message, 'error')}
            />
          )}
        </div>
      </div>
      <CaseReports detail={detail} />
      <CaseSignals detail={detail} />
      <CaseHistory detail={detail} session={session} />
      <ActiveShortcuts />
    </article>
  );
}
