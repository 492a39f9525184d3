'use client';

import { useId, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { Button } from '@/components/ui/button';
import { ActionError, ActionStatus, type ActionFailure } from './action-error';

/** An app as the page lists it; dates already formatted by the server. */
export interface ConnectedAppItem {
  clientId: string;
  name: string;
  /** What the user allowed: the scope and its description in words. */
  scopes: { scope: string; description: string }[];
  granted: { iso: string; label: string };
}

/** Without it the app cannot know who the user is: removing it disconnects the app. */
const IDENTITY_SCOPE = 'openid';

/**
 * Apps the user allowed. Each permission is a checkbox: unchecking some and saving takes them
 * back (never adds any); disconnecting ends the app's access at once.
 */
export function ConnectedAppsList({ apps }: { apps: ConnectedAppItem[] }) {
  const router = useRouter();
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  /** The action under way: which app, and whether it is being narrowed or disconnected. */
  const [pending, setPending] = useState<{ clientId: string; action: 'narrow' | 'disconnect' } | null>(null);
  const hydrated = useHydrated();

  const run = async (app: ConnectedAppItem, action: 'narrow' | 'disconnect', body: Record<string, unknown>, done: (data: Record<string, unknown>) => string) => {
    setPending({ clientId: app.clientId, action });
    setFailure(null);
    setStatus(null);
    const result = await callJson(action === 'narrow' ? '/api/account/apps/narrow' : '/api/account/apps/revoke', body);
    setPending(null);
    if (!result.ok) setFailure(result);
    else setStatus(done(result.data));
    router.refresh();
  };

  const disconnected = (app: ConnectedAppItem) => `${app.name} was disconnected. It can no longer access your account.`;
  const disconnect = (app: ConnectedAppItem) => run(app, 'disconnect', { clientId: app.clientId }, () => disconnected(app));
  const narrow = (app: ConnectedAppItem, keep: string[]) =>
    run(app, 'narrow', { clientId: app.clientId, scopes: keep }, (data) =>
      data.outcome === 'disconnected'
        ? disconnected(app)
        : data.outcome === 'narrowed'
          ? `${app.name} can no longer do what you unchecked. It must ask you again to get it back.`
          : `Nothing changed for ${app.name}.`,
    );

  return (
    <div className="space-y-4">
      <ActionStatus id="apps-status" message={status} />
      <ActionError id="apps-error" failure={failure} />
      {apps.length > 0 ? (
        <ul aria-label="Connected apps" className="divide-y divide-slate-200 rounded-xl ring-1 ring-slate-200">
          {apps.map((app) => (
            <li key={app.clientId} className="flex flex-wrap items-start justify-between gap-3 px-4 py-3">
              <AppPermissions
                // A new list of scopes from the server starts the checkboxes afresh.
                key={app.scopes.map((scope) => scope.scope).join(' ')}
                app={app}
                busy={!hydrated || pending !== null}
                pending={pending?.clientId === app.clientId && pending.action === 'narrow'}
                onNarrow={(keep) => narrow(app, keep)}
              />
              <Button variant="secondary" onClick={() => disconnect(app)} pending={pending?.clientId === app.clientId && pending.action === 'disconnect'} pendingLabel="Disconnecting…" disabled={!hydrated || pending !== null}>
                Disconnect<span className="sr-only"> {app.name}</span>
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">No app has access to your account.</p>
      )}
    </div>
  );
}

/** One app's permissions as checkboxes (checked: kept), and the button that removes the unchecked ones. */
function AppPermissions({ app, busy, pending, onNarrow }: { app: ConnectedAppItem; busy: boolean; pending: boolean; onNarrow: (keep: string[]) => void }) {
  const [kept, setKept] = useState(() => new Set(app.scopes.map((scope) => scope.scope)));
  const idPrefix = useId();
  const noteId = `${idPrefix}-note`;
  const removing = app.scopes.length - kept.size;
  const disconnects = kept.size === 0 || (app.scopes.some((scope) => scope.scope === IDENTITY_SCOPE) && !kept.has(IDENTITY_SCOPE));

  const toggle = (scope: string, checked: boolean) => {
    const next = new Set(kept);
    if (checked) next.add(scope);
    else next.delete(scope);
    setKept(next);
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onNarrow(app.scopes.map((scope) => scope.scope).filter((scope) => kept.has(scope)));
  };

  return (
    <form onSubmit={submit} className="min-w-0 space-y-2">
      <fieldset>
        <legend className="font-medium text-slate-900">{app.name}</legend>
        <p className="text-xs text-slate-600">
          Allowed <time dateTime={app.granted.iso}>{app.granted.label}</time>. Uncheck what it should no longer do.
        </p>
        <ul aria-label={`What ${app.name} can do`} className="mt-1 space-y-1 text-sm text-slate-700">
          {app.scopes.map(({ scope, description }) => {
            const id = `${idPrefix}-${scope.replace(/[^a-z_]/gi, '-')}`;
            return (
              <li key={scope} className="flex items-start gap-2">
                <input
                  id={id}
                  type="checkbox"
                  checked={kept.has(scope)}
                  onChange={(event) => toggle(scope, event.target.checked)}
                  disabled={busy}
                  className="mt-0.5 size-4 shrink-0 accent-brand-600"
                />
                <label htmlFor={id}>{description}</label>
              </li>
            );
          })}
        </ul>
      </fieldset>
      <p id={noteId} className="text-xs text-slate-600" aria-live="polite">
        {disconnects ? `Saving disconnects ${app.name}: without knowing who you are, it cannot work.` : null}
      </p>
      <Button type="submit" variant="secondary" disabled={busy || removing === 0} pending={pending} pendingLabel="Saving…" aria-describedby={noteId}>
        Remove unchecked permissions<span className="sr-only"> from {app.name}</span>
      </Button>
    </form>
  );
}
