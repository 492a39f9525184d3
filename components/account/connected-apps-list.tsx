'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { Button } from '@/components/ui/button';
import { ActionError, ActionStatus, type ActionFailure } from './action-error';

/** An app as the page lists it; dates already formatted by the server. */
export interface ConnectedAppItem {
  clientId: string;
  name: string;
  scopes: string[];
  granted: { iso: string; label: string };
}

/** Apps the user allowed; disconnecting one ends its access at once. */
export function ConnectedAppsList({ apps }: { apps: ConnectedAppItem[] }) {
  const router = useRouter();
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const hydrated = useHydrated();

  const disconnect = async (app: ConnectedAppItem) => {
    setPending(app.clientId);
    setFailure(null);
    setStatus(null);
    const result = await callJson('/api/account/apps/revoke', { clientId: app.clientId });
    setPending(null);
    if (!result.ok) setFailure(result);
    else setStatus(`${app.name} was disconnected. It can no longer access your account.`);
    router.refresh();
  };

  return (
    <div className="space-y-4">
      <ActionStatus id="apps-status" message={status} />
      <ActionError id="apps-error" failure={failure} />
      {apps.length > 0 ? (
        <ul aria-label="Connected apps" className="divide-y divide-slate-200 rounded-xl ring-1 ring-slate-200">
          {apps.map((app) => (
            <li key={app.clientId} className="flex flex-wrap items-start justify-between gap-3 px-4 py-3">
              <div className="min-w-0">
                <p className="font-medium text-slate-900">{app.name}</p>
                <p className="text-xs text-slate-600">
                  Allowed <time dateTime={app.granted.iso}>{app.granted.label}</time>
                </p>
                <ul aria-label={`What ${app.name} can do`} className="mt-1 list-disc pl-5 text-sm text-slate-700">
                  {app.scopes.map((scope) => (
                    <li key={scope}>{scope}</li>
                  ))}
                </ul>
              </div>
              <Button variant="secondary" onClick={() => disconnect(app)} pending={pending === app.clientId} pendingLabel="Disconnecting…" disabled={!hydrated || pending !== null}>
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
