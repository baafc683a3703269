// Signing in to the console with a username and password; the server sets an HttpOnly session cookie.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, messageOf } from './api';
import type { Session } from './api';
import { useTitle } from './context';
import { Link, useLocation } from './router';

export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  useTitle('Sign in');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const passwordChanged = useLocation().search.get('note') === 'password-changed';

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await api.signIn(username.trim(), password));
    } catch (failed) {
      setError(messageOf(failed));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <header className="top public">
        <span className="brand">Warden</span>
      </header>
      <main id="main" className="narrow">
        <h1>Sign in to the console</h1>
        {passwordChanged && (
          <p role="status" className="notice">
            Your password is changed and your sessions have ended. Sign in with the new password.
          </p>
        )}
        <form
          onSubmit={(event) => void submit(event)}
          aria-describedby={error === undefined ? undefined : 'sign-in-error'}
        >
          <div className="field">
            <label htmlFor="username">Username</label>
            <input
              id="username"
              name="username"
              autoComplete="username"
              required
              autoFocus
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
          <p id="sign-in-error" role="alert" className="error">
            {error}
          </p>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p>
          Not an analyst? <Link to="/report">Report illegal or harmful content</Link> without an account.
        </p>
      </main>
    </>
  );
}
