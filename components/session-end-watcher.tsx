'use client';

import { useEffect } from 'react';

/** setTimeout cannot wait much longer than 24 days; ask at least daily. */
const MAX_WAIT_SECONDS = 86_400;
/** After a check that failed (offline, server trouble) before the deadline, ask again this much later. */
const RETRY_SECONDS = 60;
/** Ask a little after the deadline, so that the server agrees it has passed. */
const MARGIN_SECONDS = 1;

/**
 * Leaves a signed-in page (the account area, the admin console) for its sign-in page once its
 * session has ended, so that a tab left open does not keep showing personal data (ASVS 14.3.1).
 * It asks `statusPath` (`{ active, expiresInSeconds }`, whatever the status code) when the page opens and again when the session would end (the earlier of the idle and absolute
 * limits); activity in any tab moves the idle one, so a live session just gets a new deadline.
 * Nothing is polled in between. Once the session has ended (the answer also deleted the cookie and
 * cleared the cache and storage), the sign-in page replaces this one and its history entry, and
 * says why. Timers sleep in background tabs and suspended computers: a tab that comes back into
 * view past its deadline asks at once. When the server cannot be asked past the last deadline it
 * gave (offline, say), the page leaves anyway: the session has ended as far as anyone knows.
 */
export function SessionEndWatcher({
  statusPath,
  signInPath,
  returnParameter,
}: {
  /** The endpoint that tells whether the session is alive, without prolonging it. */
  statusPath: string;
  /** The sign-in page to leave for, with its query (e.g. `/sign-in?ended=1`). */
  signInPath: string;
  /** The query parameter, if any, that carries this page's path back after signing in. */
  returnParameter?: string;
}) {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let deadline = Number.POSITIVE_INFINITY;
    /** When the session ends unless it is used again, as the server last said (client clock). */
    let sessionEnd = Number.POSITIVE_INFINITY;
    let stopped = false;

    /** `to`: where the status answer said to go (a path on this origin), else signInPath. */
    const leave = (to?: unknown) => {
      const ownPath = typeof to === 'string' && to.startsWith('/') && !to.startsWith('//') ? to : null;
      if (ownPath) {
        window.location.replace(ownPath);
        return;
      }
      const target = new URL(signInPath, window.location.origin);
      if (returnParameter) target.searchParams.set(returnParameter, window.location.pathname);
      window.location.replace(`${target.pathname}${target.search}`);
    };
    const unanswered = () => {
      if (Date.now() >= sessionEnd) leave();
      else schedule(Math.min(RETRY_SECONDS, (sessionEnd - Date.now()) / 1000 + MARGIN_SECONDS));
    };

    const schedule = (seconds: number) => {
      clearTimeout(timer);
      const wait = Math.min(Math.max(seconds, 0), MAX_WAIT_SECONDS) * 1000;
      deadline = Date.now() + wait;
      timer = setTimeout(() => void check(), wait);
    };

    const check = async () => {
      deadline = Number.POSITIVE_INFINITY;
      try {
        const response = await fetch(statusPath, { cache: 'no-store', credentials: 'same-origin' });
        // An ended session may be answered with 401 or 403 (the console's routes): `active` decides.
        const status = (await response.json().catch(() => null)) as { active?: unknown; expiresInSeconds?: unknown; redirectTo?: unknown } | null;
        if (stopped) return;
        if (status?.active === false) {
          leave(status.redirectTo);
        } else if (status?.active === true && typeof status.expiresInSeconds === 'number') {
          sessionEnd = Date.now() + status.expiresInSeconds * 1000;
          schedule(status.expiresInSeconds + MARGIN_SECONDS);
        } else {
          unanswered();
        }
      } catch {
        if (!stopped) unanswered();
      }
    };

    const onVisibilityChange = () => {
      if (document.visibilityState === 'visible' && Date.now() >= deadline) void check();
    };

    void check();
    document.addEventListener('visibilitychange', onVisibilityChange);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibilityChange);
    };
  }, [statusPath, signInPath, returnParameter]);
  return null;
}
