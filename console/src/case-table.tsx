// Cases as a table: the queue and the search results. Thumbnails are always the blurred rendition; the
// reasons say why a case sits where it does. One row is selected for the keyboard (j/k, Enter).
import { useEffect, useRef } from 'react';
import { blurredUrl } from './api';
import type { CaseSummary, Session } from './api';
import { actorName, age, categoryName, statusName } from './format';
import { Link, navigate } from './router';

export function CaseTable({
  cases,
  caption,
  selected,
  session,
}: {
  cases: CaseSummary[];
  caption: string;
  /** Index of the row the keyboard acts on, or -1. */
  selected: number;
  session: Session;
}) {
  const body = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    const row = body.current?.children[selected];
    if (row instanceof HTMLElement) row.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const now = Date.now();
  return (
    <table className="cases">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Preview</th>
          <th scope="col">Case</th>
          <th scope="col">Why it sits here</th>
          <th scope="col">Status</th>
          <th scope="col">Reports</th>
          <th scope="col">Waiting</th>
        </tr>
      </thead>
      <tbody ref={body}>
        {cases.map((item, index) => {
          const locked =
            item.locked_by !== null && item.locked_until !== null && Date.parse(item.locked_until) > now;
          return (
            <tr
              key={item.id}
              data-case-id={item.id}
              className={index === selected ? 'selected' : undefined}
              aria-current={index === selected ? 'true' : undefined}
              onDoubleClick={() => navigate(`/cases/${item.id}`)}
            >
              <td className="thumb">
                {item.thumbnail_sha256 === null ? (
                  <span className="no-media">{item.media_count === 0 ? 'no media' : 'not an image'}</span>
                ) : (
                  <span className="blur-frame">
                    <img
                      className="media blurred"
                      src={blurredUrl(item.thumbnail_sha256)}
                      alt={`Blurred preview of case ${item.id}`}
                      width={72}
                      height={72}
                      loading="lazy"
                    />
                  </span>
                )}
              </td>
              <td>
                <Link to={`/cases/${item.id}`}>Case {item.id}</Link>
                <div className="category">
                  {categoryName(item.category)}
                  {item.grade !== '' && <>, grade {item.grade}</>}
                </div>
                {item.url !== null && (
                  <div className="url" title={item.url}>
                    {item.url}
                  </div>
                )}
              </td>
              <td>
                <ul className="reasons">
                  {item.reasons.map((reason) => (
                    <li key={reason}>{reason}</li>
                  ))}
                </ul>
              </td>
              <td>
                <span className={`status status-${item.status}`}>{statusName(item.status)}</span>
                {locked && <div className="lock">held by {actorName(item.locked_by, session)}</div>}
              </td>
              <td>
                {item.report_count} · {item.source}
              </td>
              <td>
                <time dateTime={item.first_reported_at} title={item.first_reported_at}>
                  {age(item.first_reported_at, now)}
                </time>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
