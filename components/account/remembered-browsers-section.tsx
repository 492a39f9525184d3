'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { Button } from '@/components/ui/button';
import { ActionError, ActionStatus, type ActionFailure } from './action-error';

/** A remembered browser as the page lists it; dates already formatted by the server. */
export interface RememberedBrowserItem {
  id: string;
  name: string;
  ip: string | null;
  created: { iso: string; label: string };
  lastUsed: { iso: string; label: string };
}

/** Browsers that skip the second factor; forgetting one makes it ask again at its next sign-in. */
export function RememberedBrowsersSection({ browsers }: { browsers: RememberedBrowserItem[] }) {
  const router = useRouter();
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [pending, setPending] = useState<string | null>(null);

  const forget = async (browser: RememberedBrowserItem) => {
    setPending(browser.id);
    setFailure(null);
    setStatus(null);
    const result = await callJson('/api/account/trusted-devices/remove', { id: browser.id });
    setPending(null);
    if (!result.ok) {
      setFailure(result);
      return;
    }
    setStatus(`${browser.name} will ask for your second factor again.`);
    router.refresh();
  };

  return (
    <div className="space-y-4">
      <ActionStatus id="browsers-status" message={status} />
      <ActionError id="browsers-error" failure={failure} />
      {browsers.length > 0 ? (
        <ul aria-label="Remembered browsers" className="divide-y divide-slate-200 rounded-xl ring-1 ring-slate-200">
          {browsers.map((browser) => (
            <li key={browser.id} className="flex flex-wrap items-start justify-between gap-3 px-4 py-3">
              <div className="min-w-0">
                <p className="font-medium text-slate-900">{browser.name}</p>
                <p className="text-xs text-slate-600">
                  {browser.ip ? <>IP {browser.ip} · </> : null}
                  Remembered <time dateTime={browser.created.iso}>{browser.created.label}</time> · Last used{' '}
                  <time dateTime={browser.lastUsed.iso}>{browser.lastUsed.label}</time>
                </p>
              </div>
              <Button variant="secondary" onClick={() => forget(browser)} pending={pending === browser.id} pendingLabel="Removing…" disabled={pending !== null}>
                Remove<span className="sr-only"> {browser.name}</span>
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">No browser skips your second factor.</p>
      )}
    </div>
  );
}
