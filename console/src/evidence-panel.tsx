// A case's media, blurred and in greyscale until the analyst deliberately reveals one item (button or
// `r`), each with what it matched (bank, category, distance); the server audits every reveal and counts
// it toward the day's exposure, shown here with a warning at the analyst's limit. Videos are always muted.
import { blurredUrl } from './api';
import type { CaseMedia } from './api';
import { bytes } from './format';

export interface EvidencePanelProps {
  caseId: number;
  media: CaseMedia[];
  /** sha256 → object URL of the revealed rendition. */
  revealed: Record<string, string>;
  revealing: string | undefined;
  greyscale: boolean;
  exposureToday: number;
  exposureWarning: number;
  onReveal: (sha256: string) => void;
  onHide: (sha256: string) => void;
}

export function EvidencePanel(props: EvidencePanelProps) {
  const { media, exposureToday, exposureWarning } = props;
  const over = exposureToday >= exposureWarning;
  return (
    <section aria-labelledby="evidence-title" className="evidence">
      <h2 id="evidence-title">Media</h2>
      <p className={over ? 'exposure-note warning' : 'exposure-note'} data-testid="exposure">
        You have revealed <strong>{exposureToday}</strong> item{exposureToday === 1 ? '' : 's'} today; your
        warning level is {exposureWarning}.
      </p>
      {over && (
        <p role="alert" className="exposure-warning">
          You have reached your daily exposure level. Take a break, talk to your supervisor, and reveal only
          what the decision needs.
        </p>
      )}
      <p id="reveal-note" className="hint">
        Media is blurred and in greyscale. Revealing an item is recorded in the audit log and counts toward
        your exposure today.
      </p>
      {media.length === 0 && <p>This case has no stored media. Decide on the reports and signals below.</p>}
      <ul className="media-list">
        {media.map((item, index) => (
          <MediaItem key={item.sha256} item={item} index={index} {...props} />
        ))}
      </ul>
    </section>
  );
}

function MediaItem({
  item,
  index,
  caseId,
  revealed,
  revealing,
  greyscale,
  onReveal,
  onHide,
}: EvidencePanelProps & { item: CaseMedia; index: number }) {
  const objectUrl = revealed[item.sha256];
  const shown = objectUrl !== undefined;
  const isImage = item.mime.startsWith('image/');
  const isVideo = item.mime.startsWith('video/');
  const label = `Item ${index + 1} of case ${caseId}`;
  return (
    <li className="media-item" data-sha256={item.sha256} data-view={shown ? 'revealed' : 'blurred'}>
      <figure>
        <div className={shown ? 'frame' : 'frame blur-frame'}>
          {!shown && isImage && (
            <img className="media blurred" src={blurredUrl(item.sha256, caseId)} alt={`${label}, blurred`} />
          )}
          {!shown && !isImage && <span className="no-media">{isVideo ? 'video, hidden' : 'no preview'}</span>}
          {shown && isImage && (
            <img
              className={greyscale ? 'media revealed greyscale' : 'media revealed'}
              src={objectUrl}
              alt={`${label}, revealed`}
            />
          )}
          {shown && isVideo && (
            <video
              className={greyscale ? 'media revealed greyscale' : 'media revealed'}
              src={objectUrl}
              muted
              controls
            >
              {label}
            </video>
          )}
          {shown && !isImage && !isVideo && <span className="no-media">{item.mime}: no preview</span>}
        </div>
        <figcaption>
          {item.mime}
          {item.width !== null && item.height !== null && `, ${item.width} × ${item.height}`},{' '}
          {bytes(item.size_bytes)}
          {item.url !== '' && (
            <div className="url" title={item.url}>
              from {item.url}
            </div>
          )}
          <div className="item-matches" data-testid="item-matches">
            {item.matches.length === 0
              ? 'Matched no bank entry.'
              : `Matched ${item.matches
                  .map(
                    (match) =>
                      `${match.bank} (${match.category}, ${match.signal_type} distance ${match.distance})`,
                  )
                  .join('; ')}.`}
          </div>
        </figcaption>
      </figure>
      {shown ? (
        <button type="button" onClick={() => onHide(item.sha256)} aria-keyshortcuts="h">
          Hide <kbd>h</kbd>
        </button>
      ) : (
        <button
          type="button"
          onClick={() => onReveal(item.sha256)}
          disabled={revealing === item.sha256}
          aria-keyshortcuts="r"
          aria-describedby="reveal-note"
        >
          {revealing === item.sha256 ? 'Revealing…' : 'Reveal'} <kbd>r</kbd>
        </button>
      )}
    </li>
  );
}
