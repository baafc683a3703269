// The decision on a case: category, grade, the bank a confirmation publishes to, and a reason, recorded
// with one of the decisions the case's status allows. Each decision has a key (c, x, s, a, d); a key
// with no reason yet moves to the reason field, and Ctrl+Enter there records the chosen decision.
import { useEffect, useRef, useState } from 'react';
import type { KeyboardEvent, ReactElement } from 'react';
import type { CaseDetail, DecisionInput, DecisionKind, ReviewConfig } from './api';
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
  onDecide: (input: Omit<DecisionInput, 'evidence_seen'>) => void;
  /** Reports a problem the person must fix before the decision can be recorded. */
  onProblem: (message: string) => void;
}

/** The form; its shortcuts are active while it is shown. Mount it with key={case id}. */
export function DecisionForm(props: DecisionFormProps): ReactElement {
  const { detail, config, choices, busy, onDecide, onProblem } = props;
  const categories = config.categories.length > 0 ? config.categories : Object.keys(config.grades);
  const [category, setCategory] = useState(detail.category === '' ? '' : detail.category);
  const [grade, setGrade] = useState(detail.grade);
  const [bank, setBank] = useState('');
  const [reason, setReason] = useState('');
  const [chosen, setChosen] = useState<DecisionKind>();
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
    onDecide({
      kind,
      reason: reason.trim(),
      ...(kind === 'confirmed'
        ? { category, ...(grade === '' ? {} : { grade }), ...(bank === '' ? {} : { bank }) }
        : {}),
    });
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
