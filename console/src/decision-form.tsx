// The decision on a case: category, grade, the bank a confirmation publishes to, a verdict on each item
// and page URL (only confirmed ones are published), and a reason, recorded with one of the decisions the
// case's status allows. Each decision has a key (c, x, s, a, d); a key with no reason yet moves to the
// reason field, and Ctrl+Enter there records the chosen decision. After it the console goes back to the
// queue, or takes the next case when "Then take the next case" is ticked.
import { useEffect, useRef, useState } from 'react';
import type { KeyboardEvent, ReactElement } from 'react';
import type { CaseDetail, DecisionInput, DecisionKind, ItemVerdict, ReviewConfig } from './api';
import { categoryName } from './format';
import { useShortcuts } from './keyboard';
import type { Shortcut } from './keyboard';

export interface DecisionChoice {
  kind: DecisionKind;
  label: string;
  key: string;
}

const allChoices: DecisionChoice[] = [
  { kind: 'confirmed', label: 'Confirm', key: 'c' },
  { kind: 'not_actionable', label: 'Not actionable', key: 'x' },
  { kind: 'second_opinion', label: 'Ask for a second opinion', key: 's' },
  { kind: 'agree', label: 'Agree', key: 'a' },
  { kind: 'disagree', label: 'Disagree', key: 'd' },
];

/** The decisions a case in its status accepts from this person. */
export function choicesFor(detail: CaseDetail, actor: string): DecisionChoice[] {
  switch (detail.status) {
    case 'decided':
    case 'merged':
      return [];
    case 'awaiting_agreement':
      // The analyst who confirmed cannot agree with themselves.
      return detail.pending?.actor === actor
        ? []
        : allChoices.filter((choice) => choice.kind === 'agree' || choice.kind === 'disagree');
    case 'new':
    case 'in_review':
    case 'second_opinion':
    case 'escalated':
      return allChoices.filter((choice) => choice.kind !== 'agree' && choice.kind !== 'disagree');
  }
}

export interface DecisionFormProps {
  detail: CaseDetail;
  config: ReviewConfig;
  choices: DecisionChoice[];
  busy: boolean;
  /** The items this person revealed in their claim. */
  revealed: ReadonlySet<string>;
  /** Whether confirmed items must have been revealed first (the server checks it too). */
  revealRule: boolean;
  onDecide: (input: DecisionInput, takeNext: boolean) => void;
  /** Reports a problem the person must fix before the decision can be recorded. */
  onProblem: (message: string) => void;
}

/** The form; its shortcuts are active while it is shown. Mount it with key={case id}. */
export function DecisionForm(props: DecisionFormProps): ReactElement {
  const { detail, config, choices, busy, revealed, revealRule, onDecide, onProblem } = props;
  const categories = config.categories.length > 0 ? config.categories : Object.keys(config.grades);
  const [category, setCategory] = useState(detail.category === '' ? '' : detail.category);
  const [grade, setGrade] = useState(detail.grade);
  const [bank, setBank] = useState('');
  const [reason, setReason] = useState('');
  const [chosen, setChosen] = useState<DecisionKind>();
  const [verdicts, setVerdicts] = useState<Record<string, ItemVerdict>>({});
  const [itemGrades, setItemGrades] = useState<Record<string, string>>({});
  const [urlVerdicts, setUrlVerdicts] = useState<Record<string, ItemVerdict>>({});
  const [takeNext, setTakeNext] = useState(false);
  const reasonField = useRef<HTMLTextAreaElement>(null);
  const categoryField = useRef<HTMLSelectElement>(null);
  const gradeField = useRef<HTMLSelectElement>(null);

  const grades = config.grades[category] ?? [];
  const banks = config.banks.filter((candidate) => candidate.category === category);
  useEffect(() => {
    if (grade !== '' && !grades.includes(grade)) setGrade('');
    if (bank !== '' && !banks.some((candidate) => candidate.name === bank)) setBank('');
  }, [grade, grades, bank, banks]);

  const submit = (kind: DecisionKind) => {
    if (busy) return;
    const choice = choices.find((candidate) => candidate.kind === kind);
    if (choice === undefined) return;
    setChosen(kind);
    if (kind === 'confirmed') {
      const undecided = [
        ...detail.media.flatMap((item, index) =>
          verdicts[item.sha256] === undefined ? [`item ${index + 1}`] : [],
        ),
        ...detail.urls.flatMap((url) => (urlVerdicts[url.url] === undefined ? [url.url] : [])),
      ];
      if (undecided.length > 0) {
        onProblem(`Decide each item first (confirm or not actionable): ${undecided.join(', ')}.`);
        return;
      }
      const unseen = detail.media.flatMap((item, index) =>
        verdicts[item.sha256] === 'confirmed' && !revealed.has(item.sha256) ? [`item ${index + 1}`] : [],
      );
      if (revealRule && unseen.length > 0) {
        onProblem(`Reveal each item you confirm before confirming it: ${unseen.join(', ')}.`);
        return;
      }
      if (category === '') {
        categoryField.current?.focus();
        onProblem('Choose a category to confirm the case.');
        return;
      }
      if (grades.length > 0 && grade === '') {
        gradeField.current?.focus();
        onProblem(`Choose a grade (${grades.join(', ')}) to confirm the case; keys 1 to ${grades.length}.`);
        return;
      }
    }
    if (reason.trim() === '') {
      reasonField.current?.focus();
      onProblem(`Write a reason, then press Ctrl+Enter to record: ${choice.label}.`);
      return;
    }
    if (kind === 'agree' && detail.pending !== null) {
      const unseen = detail.pending.items.filter((item) => !revealed.has(item.sha256));
      if (revealRule && unseen.length > 0) {
        onProblem(
          `Reveal each item you agree to first: ${unseen.map((item) => itemName(detail, item.sha256)).join(', ')}.`,
        );
        return;
      }
    }
    onDecide(
      {
        kind,
        reason: reason.trim(),
        ...(kind === 'confirmed'
          ? {
              category,
              ...(grade === '' ? {} : { grade }),
              ...(bank === '' ? {} : { bank }),
              items: detail.media.map((item) => ({
                sha256: item.sha256,
                verdict: verdicts[item.sha256] ?? 'not_actionable',
                ...(verdicts[item.sha256] === 'confirmed' && (itemGrades[item.sha256] ?? '') !== ''
                  ? { grade: itemGrades[item.sha256] }
                  : {}),
              })),
              urls: detail.urls.map((url) => ({
                url: url.url,
                verdict: urlVerdicts[url.url] ?? 'not_actionable',
              })),
            }
          : {}),
        // An agreement names exactly the set it agrees to: the confirmation's items and URLs.
        ...(kind === 'agree' && detail.pending !== null
          ? {
              items: detail.pending.items.map((item) => ({
                sha256: item.sha256,
                verdict: 'confirmed' as const,
              })),
              urls: detail.pending.urls.map((url) => ({ url, verdict: 'confirmed' as const })),
            }
          : {}),
      },
      takeNext,
    );
  };

  const onReasonKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    const kind = chosen ?? (choices.length === 1 ? choices[0]?.kind : undefined);
    if (kind === undefined) onProblem('Press Esc, then the key of the decision (c, x, s, a or d).');
    else submit(kind);
  };

  const shortcuts: Shortcut[] = [
    ...choices.map((choice) => ({
      keys: [choice.key],
      label: choice.label.toLowerCase(),
      run: () => submit(choice.kind),
      enabled: !busy,
    })),
  ];
  // Digit keys choose a grade: one shortcut per grade, listed as one line.
  const gradeShortcuts: Shortcut[] = grades.slice(0, 9).map((value, index) => ({
    keys: [String(index + 1)],
    label: `grade ${value}`,
    run: () => setGrade(value),
    enabled: choices.some((choice) => choice.kind === 'confirmed'),
  }));

  const awaiting = detail.status === 'awaiting_agreement';
  useShortcuts('Decision', [...shortcuts, ...gradeShortcuts]);

  return (
    <section aria-labelledby="decision-title" className="decision">
      <h2 id="decision-title">Decision</h2>
      {choices.length === 0 ? (
        <p>{noDecisionWords(detail)}</p>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            submit(chosen ?? choices[0]?.kind ?? 'confirmed');
          }}
        >
          {!awaiting && (
            <div className="field-row">
              <div className="field">
                <label htmlFor="decision-category">Category</label>
                <select
                  id="decision-category"
                  ref={categoryField}
                  value={category}
                  onChange={(event) => setCategory(event.target.value)}
                >
                  <option value="">Choose…</option>
                  {categories.map((name) => (
                    <option key={name} value={name}>
                      {categoryName(name)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="decision-grade">Grade</label>
                <select
                  id="decision-grade"
                  ref={gradeField}
                  value={grade}
                  disabled={grades.length === 0}
                  aria-describedby="decision-grade-hint"
                  onChange={(event) => setGrade(event.target.value)}
                >
                  <option value="">{grades.length === 0 ? 'No grades for this category' : 'Choose…'}</option>
                  {grades.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
                <p id="decision-grade-hint" className="hint">
                  {grades.length > 0 && `Keys 1–${grades.length}.`}
                </p>
              </div>
              <div className="field">
                <label htmlFor="decision-bank">Bank for a confirmation</label>
                <select id="decision-bank" value={bank} onChange={(event) => setBank(event.target.value)}>
                  <option value="">The category's default bank</option>
                  {banks.map((candidate) => (
                    <option key={candidate.name} value={candidate.name}>
                      {candidate.name}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          )}
          {!awaiting && (detail.media.length > 0 || detail.urls.length > 0) && (
            <fieldset className="item-verdicts">
              <legend>Each item: only what you confirm is published</legend>
              {detail.media.map((item, index) => (
                <div
                  key={item.sha256}
                  className="field-row"
                  data-testid="item-verdict"
                  data-sha256={item.sha256}
                >
                  <Verdict
                    name={`verdict-${item.sha256}`}
                    label={`Item ${index + 1}${revealed.has(item.sha256) ? ' (revealed)' : ''}`}
                    value={verdicts[item.sha256]}
                    onChange={(value) => setVerdicts((current) => ({ ...current, [item.sha256]: value }))}
                  />
                  {grades.length > 0 && verdicts[item.sha256] === 'confirmed' && (
                    <div className="field">
                      <label htmlFor={`grade-${item.sha256}`}>Grade of item {index + 1}</label>
                      <select
                        id={`grade-${item.sha256}`}
                        value={itemGrades[item.sha256] ?? ''}
                        onChange={(event) =>
                          setItemGrades((current) => ({ ...current, [item.sha256]: event.target.value }))
                        }
                      >
                        <option value="">The case's grade</option>
                        {grades.map((name) => (
                          <option key={name} value={name}>
                            {name}
                          </option>
                        ))}
                      </select>
                    </div>
                  )}
                </div>
              ))}
              {detail.urls.map((url) => (
                <Verdict
                  key={url.url}
                  name={`verdict-url-${url.url}`}
                  label={`Page ${url.reported}`}
                  value={urlVerdicts[url.url]}
                  onChange={(value) => setUrlVerdicts((current) => ({ ...current, [url.url]: value }))}
                />
              ))}
            </fieldset>
          )}
          {awaiting && detail.pending !== null && (
            <p data-testid="agreement-set">
              Agreeing publishes exactly:{' '}
              {[
                ...detail.pending.items.map(
                  (item) =>
                    `${itemName(detail, item.sha256)}${item.grade === '' ? '' : ` (grade ${item.grade})`}`,
                ),
                ...detail.pending.urls,
              ].join(', ') || 'nothing'}
              . If that is not right, disagree.
            </p>
          )}
          <div className="field">
            <label htmlFor="decision-reason">Reason</label>
            <textarea
              id="decision-reason"
              ref={reasonField}
              rows={3}
              maxLength={2000}
              required
              aria-describedby="decision-reason-hint"
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              onKeyDown={onReasonKey}
            />
            <p id="decision-reason-hint" className="hint">
              Kept with the case. Ctrl+Enter records{' '}
              {chosen === undefined
                ? 'the decision you chose'
                : `“${choices.find((c) => c.kind === chosen)?.label ?? ''}”`}
              ; Esc leaves the field.
            </p>
          </div>
          <label className="check">
            <input
              type="checkbox"
              checked={takeNext}
              onChange={(event) => setTakeNext(event.target.checked)}
            />{' '}
            Then take the next case
          </label>
          <div className="buttons">
            {choices.map((choice) => (
              <button
                key={choice.kind}
                type="button"
                className={choice.kind === 'confirmed' || choice.kind === 'agree' ? 'primary' : undefined}
                aria-keyshortcuts={choice.key}
                disabled={busy}
                onClick={() => submit(choice.kind)}
              >
                {choice.label} <kbd>{choice.key}</kbd>
              </button>
            ))}
          </div>
        </form>
      )}
    </section>
  );
}

function noDecisionWords(detail: CaseDetail): string {
  switch (detail.status) {
    case 'decided':
      return `This case is decided: ${detail.outcome === '' ? 'closed' : detail.outcome.replace('_', ' ')}.`;
    case 'merged':
      return 'This case was merged into another case.';
    case 'awaiting_agreement':
      return 'You confirmed this case; another analyst must agree before it is decided.';
    case 'new':
    case 'in_review':
    case 'second_opinion':
    case 'escalated':
      return 'No decision is open to you on this case.';
  }
}

/** "Item 2" for an item of the case, by its place on the page. */
function itemName(detail: CaseDetail, sha256: string): string {
  const index = detail.media.findIndex((item) => item.sha256 === sha256);
  return index < 0 ? `item ${sha256.slice(0, 12)}…` : `item ${index + 1}`;
}

/** Confirm or not actionable, for one item or URL: nothing is chosen until the analyst chooses. */
function Verdict(props: {
  name: string;
  label: string;
  value: ItemVerdict | undefined;
  onChange: (value: ItemVerdict) => void;
}): ReactElement {
  return (
    <div role="radiogroup" aria-label={props.label} className="verdict">
      <span className="verdict-label">{props.label}</span>
      {(['confirmed', 'not_actionable'] as const).map((value) => (
        <label key={value}>
          <input
            type="radio"
            name={props.name}
            value={value}
            checked={props.value === value}
            onChange={() => props.onChange(value)}
          />{' '}
          {value === 'confirmed' ? 'Confirm' : 'Not actionable'}
        </label>
      ))}
    </div>
  );
}
