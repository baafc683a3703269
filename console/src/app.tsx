// The console's frame: loads the session, shows the sign-in page to people who are not signed in (the
// public report page excepted), and otherwise the header, navigation, live region and the current page.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { ApiError, api, messageOf, setCsrfToken, whenSignedOut } from './api';
import type { Session } from './api';
import { AdminUsersPage } from './admin-users-page';
import { CasePage } from './case-page';
import { ConsoleContext, forgetReviewConfig } from './context';
import type { ConsoleState } from './context';
import { DashboardPage } from './dashboard-page';
import { HelpDialog } from './help-dialog';
import { isTyping, useShortcuts } from './keyboard';
import { PublicReportPage } from './public-report-page';
import { QueuePage } from './queue-page';
import { Link, matchPath, navigate, useLocation } from './router';
import { SearchPage } from './search-page';
import { SettingsPage } from './settings-page';
import { SignInPage } from './sign-in-page';

interface Message {
  text: string;
  kind: 'status' | 'error';
  at: number;
}

export function App() {
  const location = useLocation();
  // undefined while asking the server; null when nobody is signed in.
  const [session, setSessionState] = useState<Session | null>();
  const [problem, setProblem] = useState<string>();

  const setSession = useCallback((next: Session | null) => {
    setCsrfToken(next?.csrf_token ?? '');
    setSessionState(next);
  }, []);

  useEffect(() => {
    whenSignedOut(() => {
      forgetReviewConfig();
      setSession(null);
    });
    api.session().then(setSession, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) setSession(null);
      else setProblem(messageOf(error));
    });
  }, [setSession]);

  useLeaveFieldOnEscape();

  // Not signed in: the sign-in page, which comes back here afterwards; signed in: not the sign-in page.
  useEffect(() => {
    if (session === undefined || location.path === '/report') return;
    if (session !== null && location.path === '/sign-in') navigate('/', { replace: true });
    if (session === null && location.path !== '/sign-in') {
      navigate(`/sign-in?next=${encodeURIComponent(location.href)}`, { replace: true });
    }
  }, [session, location.path, location.href]);

  if (location.path === '/report')
    return <PublicReportPage signedIn={session !== null && session !== undefined} />;
  if (problem !== undefined && session === undefined) {
    return (
      <main id="main" className="narrow">
        <h1>Warden console</h1>
        <p role="alert" className="error">
          {problem}
        </p>
        <button type="button" onClick={() => window.location.reload()}>
          Try again
        </button>
      </main>
    );
  }
  if (session === undefined) {
    return (
      <main id="main" className="narrow" aria-busy="true">
        <p>Loading the console…</p>
      </main>
    );
  }
  if (session === null) {
    return (
      <SignInPage
        onSignedIn={(signedIn) => {
          setSession(signedIn);
          const next = location.search.get('next') ?? '/';
          // Only a path of this console, never another site.
          navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
        }}
      />
    );
  }
  return <Shell session={session} setSession={setSession} />;
}

/** Escape in a text field leaves the field, so that the page's shortcuts work again. */
function useLeaveFieldOnEscape(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || !isTyping(event.target)) return;
      if (document.querySelector('dialog[open]') !== null) return;
      event.preventDefault();
      (event.target as HTMLElement).blur();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}

function Shell({ session, setSession }: { session: Session; setSession: (session: Session | null) => void }) {
  const location = useLocation();
  const [message, setMessage] = useState<Message>();
  const [helpOpen, setHelpOpen] = useState(false);
  const searchField = useRef<HTMLInputElement>(null);

  const announce = useCallback((text: string, kind: 'status' | 'error' = 'status') => {
    setMessage({ text, kind, at: Date.now() });
  }, []);
  // After moving to another page, the focus starts at its content (as after a page load), so that
  // screen readers read the new page and Tab begins there.
  const firstPath = useRef(location.path);
  useEffect(() => {
    if (location.path === firstPath.current) return;
    firstPath.current = '';
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [location.path]);

  const endSession = useCallback(
    (note?: 'password-changed') => {
      forgetReviewConfig();
      setSession(null);
      navigate(note === undefined ? '/sign-in' : `/sign-in?note=${note}`, { replace: true });
    },
    [setSession],
  );
  const state = useMemo<ConsoleState>(
    () => ({ session, setSession, endSession, announce }),
    [session, setSession, endSession, announce],
  );

  useShortcuts('Everywhere', [
    { keys: ['?'], label: 'show or hide these shortcuts', run: () => setHelpOpen((open) => !open) },
    { keys: ['/'], label: 'search by URL, hash or reference', run: () => searchField.current?.focus() },
  ]);

  const signOut = async () => {
    try {
      await api.signOut();
    } catch {
      // Signed out on this side anyway; the server forgets the session when it expires.
    }
    endSession();
  };

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const text = searchField.current?.value.trim() ?? '';
    if (text !== '') navigate(`/search?q=${encodeURIComponent(text)}`);
  };

  const warning = session.exposure_today >= session.settings.exposure_warning;
  return (
    <ConsoleContext.Provider value={state}>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          Warden
        </Link>
        <nav aria-label="Console">
          <ul>
            <NavLink to="/" current={location.path === '/' || location.path.startsWith('/cases/')}>
              Queue
            </NavLink>
            <NavLink to="/dashboard" current={location.path === '/dashboard'}>
              Dashboard
            </NavLink>
            <NavLink to="/settings" current={location.path === '/settings'}>
              Settings
            </NavLink>
            {session.user.role === 'admin' && (
              <NavLink to="/admin/users" current={location.path === '/admin/users'}>
                People
              </NavLink>
            )}
          </ul>
        </nav>
        <form role="search" className="top-search" onSubmit={search}>
          <label htmlFor="top-search" className="visually-hidden">
            Search cases
          </label>
          <input
            id="top-search"
            ref={searchField}
            type="search"
            placeholder="URL, hash or reference"
            aria-keyshortcuts="/"
            defaultValue={location.path === '/search' ? (location.search.get('q') ?? '') : ''}
            key={location.path === '/search' ? location.href : 'search'}
          />
          <button type="submit">Search</button>
        </form>
        <div className="who">
          <span>
            {session.user.display_name || session.user.username}{' '}
            <span className="role">({session.user.role})</span>
          </span>
          <span className={warning ? 'exposure warning' : 'exposure'} title="Media you revealed today (UTC)">
            Revealed today: {session.exposure_today}
          </span>
          <button type="button" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
            Shortcuts
          </button>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="live live-polite" role="status" aria-live="polite" aria-atomic="true">
        {message?.kind === 'status' ? message.text : ''}
      </div>
      <div className="live live-error" role="alert" aria-atomic="true">
        {message?.kind === 'error' ? message.text : ''}
      </div>
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
      <HelpDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </ConsoleContext.Provider>
  );
}

function NavLink({ to, current, children }: { to: string; current: boolean; children: ReactNode }) {
  return (
    <li>
      <Link to={to} aria-current={current ? 'page' : undefined}>
        {children}
      </Link>
    </li>
  );
}

function Page() {
  const { path, search } = useLocation();
  const caseMatch = matchPath('/cases/:id', path);
  if (caseMatch !== undefined) {
    const id = Number(caseMatch.id);
    if (Number.isSafeInteger(id) && id > 0) return <CasePage key={id} id={id} />;
  }
  switch (path) {
    case '/':
    case '/sign-in':
      return <QueuePage />;
    case '/search':
      return <SearchPage text={search.get('q') ?? ''} />;
    case '/dashboard':
      return <DashboardPage />;
    case '/settings':
      return <SettingsPage />;
    case '/admin/users':
      return <AdminUsersPage />;
    default:
      return (
        <section aria-labelledby="not-found">
          <h1 id="not-found">Page not found</h1>
          <p>
            There is no console page at <code>{path}</code>. <Link to="/">Go to the queue</Link>.
          </p>
        </section>
      );
  }
}
