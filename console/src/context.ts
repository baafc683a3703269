// What every page of the signed-in console shares: the session, a way to tell the person what happened
// (read out by screen readers through the live region), and the review configuration, loaded once.
import { createContext, useContext, useEffect, useState } from 'react';
import { api } from './api';
import type { ReviewConfig, Session } from './api';

export interface ConsoleState {
  session: Session;
  setSession: (session: Session) => void;
  /** Forgets the session on this side and shows the sign-in page, with a note if given. */
  endSession: (note?: 'password-changed') => void;
  /** Shows a message in the live region: 'status' is polite, 'error' is assertive. */
  announce: (message: string, kind?: 'status' | 'error') => void;
}

export const ConsoleContext = createContext<ConsoleState | undefined>(undefined);

export function useConsole(): ConsoleState {
  const state = useContext(ConsoleContext);
  if (state === undefined) throw new Error('useConsole() outside the signed-in console');
  return state;
}

let configRequest: Promise<ReviewConfig> | undefined;

/** The categories, grades and banks a decision can name; undefined while loading. */
export function useReviewConfig(): { config: ReviewConfig | undefined; error: string | undefined } {
  const [config, setConfig] = useState<ReviewConfig>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    configRequest ??= api.reviewConfig();
    configRequest.then(
      (loaded) => live && setConfig(loaded),
      (failed: unknown) => {
        configRequest = undefined;
        if (live) setError(failed instanceof Error ? failed.message : String(failed));
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return { config, error };
}

/** Forgets the cached configuration (after signing out, or when an admin changes banks). */
export function forgetReviewConfig(): void {
  configRequest = undefined;
}

/** Sets the document title, so that tabs, history and screen readers say where the person is. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Warden`;
  }, [title]);
}
