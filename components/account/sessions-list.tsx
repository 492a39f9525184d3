'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { Button } from '@/components/ui/button';
import { ActionError, ActionStatus, type ActionFailure } from './action-error';

/** A session as the page lists it; dates already formatted by the server. */
export interface SessionItem {
  id: string;
  name: string;
  ip: string | null;
  methods: string;
  signedIn: { iso: string; label: string };
  lastSeen: { iso: string; label: string };
  current: boolean;
}

/** The user's sessions: this one marked, every other one with its own sign-out, and "sign out all others". */
export function SessionsList({ sessions }: { sessions: SessionItem[] }) {
  const router = useRouter();
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const hydrated = useHydrated();
  const others = sessions.filter((session) => !session.current).length;

  const act = async (key: string, url: string, body: Record<string, unknown>, done: (data: Record<string, unknown>) => string) => {
    setPending(key);
    setFailure(null);
    setStatus(null);
    const result = await callJson(url, body);
    setPending(null);
    if (!result.ok) {
      setFailure(result);
      router.refresh();
      return;
    }
    setStatus(done(result.data));
    router.refresh();
  };

  return (
    <div className="space-y-4">
      <ActionStatus id="sessions-status" message={status} />
      <ActionError id="sessions-error" failure={failure} />
      <ul aria-label="Sessions" className="divide-y divide-slate-200 rounded-xl ring-1 ring-slate-200">
        {sessions.map((session) => (
          <li key={session.id} data-session-id={session.id} className="flex flex-wrap items-start justify-between gap-3 px-4 py-3">
            <div className="min-w-0">
              <p className="font-medium text-slate-900">
                {session.name}
                {session.current ? <span className="ml-2 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-semibold text-emerald-800 ring-1 ring-emerald-200">This device</span> : null}
              </p>
              <p className="text-xs text-slate-600">
                {session.ip ? <>IP {session.ip} · </> : null}
                {session.methods}
              </p>
              <p className="text-xs text-slate-600">
                Signed in <time dateTime={session.signedIn.iso}>{session.signedIn.label}</time> · Last active{' '}
                <time dateTime={session.lastSeen.iso}>{session.lastSeen.label}</time>
              </p>
            </div>
            {session.current ? null : (
              <Button
                variant="secondary"
                onClick={() => act(session.id, '/api/account/sessions/revoke', { id: session.id }, () => `${session.name} was signed out.`)}
                pending={pending === session.id}
                pendingLabel="Signing out…"
                disabled={!hydrated || pending !== null}
              >
                Sign out<span className="sr-only"> {session.name}, signed in {session.signedIn.label}</span>
              </Button>
            )}
          </li>
        ))}
      </ul>
      {others > 0 ? (
        <Button
          variant="secondary"
          onClick={() =>
            act('others', '/api/account/sessions/revoke-others', {}, (data) => {
              const count = typeof data.sessionsEnded === 'number' ? data.sessionsEnded : 0;
              return `${count} other ${count === 1 ? 'session was' : 'sessions were'} signed out.`;
            })
          }
          pending={pending === 'others'}
          pendingLabel="Signing out…"
          disabled={!hydrated || pending !== null}
        >
          Sign out all other sessions
        </Button>
      ) : (
        <p className="text-sm text-slate-600">You are not signed in anywhere else.</p>
      )}
    </div>
  );
}
