// What is known about a case, read-only: its reports (URL, reason, source, matches), the signals derived
// from its media, a confirmation waiting for agreement, and its decisions and audit history in time order.
import type { CaseDetail, Session } from './api';
import { actorName, categoryName, dateTime, decisionName } from './format';

export function PendingConfirmation({ detail, session }: { detail: CaseDetail; session: Session }) {
  const pending = detail.pending;
  if (pending === null) return null;
  return (
    <section aria-labelledby="pending-title" className="pending" data-testid="pending">
      <h2 id="pending-title">Confirmation awaiting agreement</h2>
      <p>
        {actorName(pending.actor, session)} confirmed this case as{' '}
        <strong>{categoryName(pending.category)}</strong>
        {pending.grade !== '' && (
          <>
            , grade <strong>{pending.grade}</strong>
          </>
        )}
        {pending.bank !== '' && <> for the bank {pending.bank}</>} on {dateTime(pending.created_at)}. A second
        analyst must agree before it is decided.
      </p>
      <blockquote>{pending.reason}</blockquote>
    </section>
  );
}

export function CaseReports({ detail }: { detail: CaseDetail }) {
  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">Reports ({detail.reports.length})</h2>
      <table className="details">
        <caption className="visually-hidden">Reports grouped in this case</caption>
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">Source</th>
            <th scope="col">URL</th>
            <th scope="col">Reason</th>
            <th scope="col">Matches</th>
          </tr>
        </thead>
        <tbody>
          {detail.reports.map((report) => (
            <tr key={report.id}>
              <td>
                <time dateTime={report.created_at}>{dateTime(report.created_at)}</time>
                {report.reference !== null && <div className="reference">{report.reference}</div>}
              </td>
              <td>
                {report.source}
                <div className="hint">{report.reporter}</div>
                {report.platform_reference !== '' && (
                  <div className="hint">ref {report.platform_reference}</div>
                )}
              </td>
              <td>
                {/* Shown as text, never as a link: opening it would bypass blurring. */}
                {report.url === null ? '—' : <span className="url-text">{report.url}</span>}
                {report.host_country !== '' && <div className="hint">hosted in {report.host_country}</div>}
              </td>
              <td>
                {report.reason === '' ? '—' : report.reason}
                {report.category !== '' && <div className="hint">{categoryName(report.category)}</div>}
              </td>
              <td>
                {report.matches.length === 0 ? (
                  'none'
                ) : (
                  <ul className="plain">
                    {report.matches.map((match) => (
                      <li key={`${match.entry_id}-${match.variant ?? ''}`}>
                        {match.bank} ({match.signal_type}, distance {match.distance})
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function CaseSignals({ detail }: { detail: CaseDetail }) {
  if (detail.media.length === 0) return null;
  return (
    <section aria-labelledby="signals-title">
      <h2 id="signals-title">Signals</h2>
      <dl className="signals">
        {detail.media.map((item, index) => (
          <div key={item.sha256} className="signal-group">
            <dt>Item {index + 1}</dt>
            <dd>
              <span className="signal-name">PDQ</span>{' '}
              <code data-signal="pdq">{item.pdq === '' ? 'not hashable' : item.pdq}</code>
              {item.quality !== null && <span className="hint"> quality {item.quality}</span>}
            </dd>
            <dd>
              <span className="signal-name">MD5</span> <code data-signal="md5">{item.md5}</code>
            </dd>
            <dd>
              <span className="signal-name">SHA-256</span> <code data-signal="sha256">{item.sha256}</code>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function CaseHistory({ detail, session }: { detail: CaseDetail; session: Session }) {
  const decisions = [...detail.decisions].sort((a, b) => a.created_at.localeCompare(b.created_at));
  const history = [...detail.history].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <h3>Decisions</h3>
      {decisions.length === 0 ? (
        <p>No decision yet.</p>
      ) : (
        <ol className="timeline" data-testid="decisions">
          {decisions.map((decision) => (
            <li key={decision.id}>
              <time dateTime={decision.created_at}>{dateTime(decision.created_at)}</time>{' '}
              <strong>{decisionName(decision.kind)}</strong> by {actorName(decision.actor, session)} (
              {decision.role}){decision.category !== '' && <>: {categoryName(decision.category)}</>}
              {decision.grade !== '' && <>, grade {decision.grade}</>}
              {decision.bank !== '' && <>, bank {decision.bank}</>}
              <div className="reason">{decision.reason}</div>
              {decision.evidence_seen.length > 0 && (
                <div className="hint">
                  saw {decision.evidence_seen.length} item{decision.evidence_seen.length === 1 ? '' : 's'},{' '}
                  {decision.evidence_seen.filter((seen) => seen.revealed).length} revealed
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
      <h3>Audit trail</h3>
      {history.length === 0 ? (
        <p>Nothing recorded yet.</p>
      ) : (
        <ol className="timeline" data-testid="history">
          {history.map((entry, index) => (
            <li key={`${entry.at}-${index}`}>
              <time dateTime={entry.at}>{dateTime(entry.at)}</time> <code>{entry.action}</code> by{' '}
              {actorName(entry.actor, session)}
              {detailsWords(entry.details)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function detailsWords(details: Record<string, unknown>): string {
  const parts = Object.entries(details)
    .filter(([, value]) => value !== null && value !== '' && typeof value !== 'object')
    .map(([name, value]) => `${name.replace(/_/g, ' ')} ${String(value as string | number | boolean)}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
