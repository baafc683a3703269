// A person's own wellness settings, within the limits an admin sets: blurring, greyscale, and the daily
// exposure level at which the console warns.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, messageOf } from './api';
import { useConsole, useTitle } from './context';

export function SettingsPage() {
  useTitle('Settings');
  const { session, setSession, announce } = useConsole();
  const { settings, limits } = session;
  const [blur, setBlur] = useState(settings.blur);
  const [greyscale, setGreyscale] = useState(settings.greyscale);
  const [warning, setWarning] = useState(String(settings.exposure_warning));
  const [busy, setBusy] = useState(false);

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    try {
      const saved = await api.updateSettings({ blur, greyscale, exposure_warning: Number(warning) });
      setSession(saved);
      announce('Your settings are saved.');
    } catch (failed) {
      announce(messageOf(failed), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="settings-title" className="narrow-section">
      <h1 id="settings-title">Your wellness settings</h1>
      <p>
        Media is shown blurred and in greyscale, and videos muted, unless you choose otherwise within the
        limits your admin has set. Every reveal is recorded and counted.
      </p>
      <form onSubmit={(event) => void save(event)}>
        <div className="choice">
          <input
            id="setting-blur"
            type="checkbox"
            checked={blur}
            disabled={!limits.allow_unblurred && blur}
            aria-describedby="setting-blur-hint"
            onChange={(event) => setBlur(event.target.checked)}
          />
          <label htmlFor="setting-blur">Blur media until I reveal it</label>
          <p id="setting-blur-hint" className="hint">
            {limits.allow_unblurred
              ? 'Turning this off shows the first item of a case at once; each showing is still recorded.'
              : 'Your admin requires blurring.'}
          </p>
        </div>
        <div className="choice">
          <input
            id="setting-greyscale"
            type="checkbox"
            checked={greyscale}
            disabled={!limits.allow_colour && greyscale}
            aria-describedby="setting-greyscale-hint"
            onChange={(event) => setGreyscale(event.target.checked)}
          />
          <label htmlFor="setting-greyscale">Keep revealed media in greyscale</label>
          <p id="setting-greyscale-hint" className="hint">
            {limits.allow_colour
              ? 'Colour can help grading; greyscale is gentler.'
              : 'Your admin requires greyscale.'}
          </p>
        </div>
        <div className="field">
          <label htmlFor="setting-warning">Warn me after this many reveals in a day</label>
          <input
            id="setting-warning"
            type="number"
            min={1}
            max={limits.max_exposure_warning}
            required
            aria-describedby="setting-warning-hint"
            value={warning}
            onChange={(event) => setWarning(event.target.value)}
          />
          <p id="setting-warning-hint" className="hint">
            At most {limits.max_exposure_warning}. You have revealed {session.exposure_today} today.
          </p>
        </div>
        <button type="submit" className="primary" disabled={busy}>
          Save settings
        </button>
      </form>
      <PasswordForm />
    </section>
  );
}

function PasswordForm() {
  const { announce, endSession } = useConsole();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeated, setRepeated] = useState('');

  const change = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (next !== repeated) {
      announce('The new password and its repetition differ.', 'error');
      return;
    }
    try {
      await api.changePassword(current, next);
      endSession('password-changed');
    } catch (failed) {
      announce(messageOf(failed), 'error');
    }
  };

  return (
    <section aria-labelledby="password-title">
      <h2 id="password-title">Your password</h2>
      <form onSubmit={(event) => void change(event)}>
        <div className="field">
          <label htmlFor="password-current">Current password</label>
          <input
            id="password-current"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password-new">New password (12 characters or more)</label>
          <input
            id="password-new"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            value={next}
            onChange={(event) => setNext(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password-repeat">New password again</label>
          <input
            id="password-repeat"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            value={repeated}
            onChange={(event) => setRepeated(event.target.value)}
          />
        </div>
        <p className="hint">Changing it signs you out everywhere.</p>
        <button type="submit">Change password</button>
      </form>
    </section>
  );
}
