// The public report form: anyone may report a URL, anonymously or with an email address for feedback,
// and gets a reference number to quote. The page says what happens next and can look a reference up.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, messageOf } from './api';
import type { PublicReportStatus } from './api';
import { useTitle } from './context';
import { dateTime } from './format';
import { Link } from './router';

// A reason that names a category sets the report's category on the server.
const reasons: { value: string; label: string }[] = [
  { value: 'csam', label: 'Sexual abuse of a child (images or videos of anyone under 18)' },
  { value: 'terrorism', label: 'Terrorist content' },
  { value: 'ncii', label: 'Intimate images shared without consent' },
  { value: 'harassment', label: 'Harassment or threats' },
  { value: 'other', label: 'Something else that is illegal or harmful' },
];

export function PublicReportPage({ signedIn }: { signedIn: boolean }) {
  useTitle('Report content');
  const [url, setUrl] = useState('');
  const [reason, setReason] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [reference, setReference] = useState<string>();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const filed = await api.fileReport({
        url: url.trim(),
        reason,
        ...(email.trim() === '' ? {} : { email: email.trim() }),
      });
      setReference(filed.reference);
      setUrl('');
      setReason('');
      setEmail('');
    } catch (failed) {
      setError(messageOf(failed));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <header className="top public">
        <span className="brand">Warden</span>
        {signedIn && (
          <nav aria-label="Console">
            <Link to="/">Back to the console</Link>
          </nav>
        )}
      </header>
      <main id="main" className="narrow">
        <h1>Report illegal or harmful content</h1>
        {reference === undefined ? (
          <>
            <p>
              Tell us where you saw it. You do not need an account and you do not need to give your name.
              Please do not download, copy or send us the content itself: the address is enough.
            </p>
            <form onSubmit={(event) => void submit(event)}>
              <div className="field">
                <label htmlFor="report-url">Address (URL) of the page or image</label>
                <input
                  id="report-url"
                  name="url"
                  type="url"
                  inputMode="url"
                  required
                  maxLength={2048}
                  placeholder="https://"
                  value={url}
                  onChange={(event) => setUrl(event.target.value)}
                />
              </div>
              <fieldset>
                <legend>What does it show?</legend>
                {reasons.map((choice) => (
                  <div className="choice" key={choice.value}>
                    <input
                      type="radio"
                      id={`reason-${choice.value}`}
                      name="reason"
                      value={choice.value}
                      required
                      checked={reason === choice.value}
                      onChange={() => setReason(choice.value)}
                    />
                    <label htmlFor={`reason-${choice.value}`}>{choice.label}</label>
                  </div>
                ))}
              </fieldset>
              <div className="field">
                <label htmlFor="report-email">Your email address (optional)</label>
                <input
                  id="report-email"
                  name="email"
                  type="email"
                  autoComplete="email"
                  maxLength={254}
                  aria-describedby="report-email-hint"
                  value={email}
                  onChange={(event) => setEmail(event.target.value)}
                />
                <p id="report-email-hint" className="hint">
                  Only if you want to hear the outcome. We write to you once, then delete the address.
                </p>
              </div>
              <p role="alert" className="error">
                {error}
              </p>
              <button type="submit" className="primary" disabled={busy}>
                {busy ? 'Sending…' : 'Send report'}
              </button>
            </form>
          </>
        ) : (
          <section aria-labelledby="thanks" className="thanks">
            <h2 id="thanks">Thank you. Your report has been received.</h2>
            <p>
              Your reference is{' '}
              <strong className="reference" data-testid="reference">
                {reference}
              </strong>
              . Quote it if you contact us about this report.
            </p>
            <h3>What happens next</h3>
            <ol>
              <li>We fetch the address you gave us and keep what we find as evidence, securely.</li>
              <li>A trained analyst checks it; a confirmation needs a second analyst to agree.</li>
              <li>
                If it is confirmed, its fingerprints (hashes) are added to the lists that stop it being shared
                again, and the people running this service act on it, for example by asking the host to remove
                it.
              </li>
              <li>If you gave an email address, we tell you the outcome and then delete the address.</li>
            </ol>
            <button type="button" onClick={() => setReference(undefined)}>
              Report something else
            </button>
          </section>
        )}
        <ReferenceLookup />
        <p className="hint">
          If someone is in immediate danger, call the emergency services now. This form is not watched around
          the clock.
        </p>
      </main>
    </>
  );
}

function ReferenceLookup() {
  const [reference, setReference] = useState('');
  const [status, setStatus] = useState<PublicReportStatus>();
  const [error, setError] = useState<string>();

  const lookUp = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(undefined);
    setStatus(undefined);
    try {
      setStatus(await api.reportStatus(reference.trim()));
    } catch (failed) {
      setError(messageOf(failed));
    }
  };

  return (
    <section aria-labelledby="lookup" className="lookup">
      <h2 id="lookup">Check a report</h2>
      <form onSubmit={(event) => void lookUp(event)} className="inline">
        <label htmlFor="lookup-reference">Reference</label>
        <input
          id="lookup-reference"
          required
          value={reference}
          onChange={(event) => setReference(event.target.value)}
        />
        <button type="submit">Check</button>
      </form>
      <p role="status">
        {status !== undefined &&
          `Report ${status.reference}, sent ${dateTime(status.created_at)}: ${status.status}.`}
      </p>
      <p role="alert" className="error">
        {error}
      </p>
    </section>
  );
}
