'use client';

import { Fragment, useState } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, ActionStatus, localFailure, type ActionFailure } from '@/components/account/action-error';
import { ConfirmAction } from '@/components/account/confirm-action';
import { when } from '@/components/account/dates';
import { Button } from '@/components/ui/button';
import { NewKeyDisplay, revealedKeyOf, type RevealedKey } from './new-key-display';

type Moment = { iso: string; label: string };

/** A key as the page lists it; dates already formatted by the server. */
export interface ApiKeyItem {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created: Moment;
  expires: Moment;
  lastUsed: Moment | null;
  lastUsedIp: string | null;
  status: 'active' | 'rotating' | 'expired' | 'revoked' | 'rotated';
  rotationDue: boolean;
  worksUntil: Moment | null;
}

const STATUS: Record<ApiKeyItem['status'], { label: string; className: string }> = {
  active: { label: 'Active', className: 'bg-emerald-50 text-emerald-800 ring-emerald-200' },
  rotating: { label: 'Rotated, still working', className: 'bg-sky-50 text-sky-800 ring-sky-200' },
  expired: { label: 'Expired', className: 'bg-slate-100 text-slate-700 ring-slate-300' },
  revoked: { label: 'Revoked', className: 'bg-red-50 text-red-800 ring-red-200' },
  rotated: { label: 'Rotated', className: 'bg-slate-100 text-slate-700 ring-slate-300' },
};

const BADGE = 'inline-block rounded-full px-2 py-0.5 text-xs font-semibold ring-1';

type Pending = { id: string; action: 'rotate' | 'revoke' };

/**
 * The API keys: name, prefix, scopes, dates, last use, status and a "Rotate soon" flag; rotate
 * (a new key shown once, the old one working for the overlap period) and revoke, each after a
 * confirmation.
 */
export function ApiKeysTable({ keys, overlap }: { keys: ApiKeyItem[]; overlap: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [confirming, setConfirming] = useState<Pending | null>(null);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<{ key: RevealedKey; worksUntil: string | null } | null>(null);

  const act = async ({ id, action }: Pending) => {
    setPending(true);
    setFailure(null);
    setStatus(null);
    const result = await callJson(`/api/admin/console/api-keys/${action}`, { id });
    setPending(false);
    setConfirming(null);
    router.refresh();
    if (!result.ok) {
      setFailure(result);
      return;
    }
    const name = keys.find((key) => key.id === id)?.name ?? 'The key';
    if (action === 'revoke') {
      setStatus(`“${name}” was revoked: it no longer works.`);
      return;
    }
    const key = revealedKeyOf(result.data);
    if (!key) {
      setFailure(localFailure());
      return;
    }
    const until = typeof result.data.previousWorksUntil === 'string' ? when(new Date(result.data.previousWorksUntil)).label : null;
    setRevealed({ key, worksUntil: until });
  };

  return (
    <div className="space-y-4">
      <ActionStatus id="api-keys-status" message={status} />
      <ActionError id="api-keys-error" failure={failure} />
      {revealed ? (
        <NewKeyDisplay
          revealed={revealed.key}
          note={
            revealed.worksUntil ? (
              <>
                The old key keeps working until <strong>{revealed.worksUntil}</strong>: update whatever uses it before then.
              </>
            ) : (
              'The old key has stopped working.'
            )
          }
          onDone={() => setRevealed(null)}
        />
      ) : null}
      {keys.length === 0 ? (
        <p className="text-sm text-slate-600">No API keys yet.</p>
      ) : (
        <div className="overflow-x-auto rounded-xl ring-1 ring-slate-200">
          <table className="min-w-full divide-y divide-slate-200 text-left text-sm">
            <caption className="sr-only">API keys, newest first</caption>
            <thead className="bg-slate-50 text-xs font-semibold text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2">Name</th>
                <th scope="col" className="px-3 py-2">Scopes</th>
                <th scope="col" className="px-3 py-2">Created</th>
                <th scope="col" className="px-3 py-2">Expires</th>
                <th scope="col" className="px-3 py-2">Last used</th>
                <th scope="col" className="px-3 py-2">Status</th>
                <th scope="col" className="px-3 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 bg-white">
              {keys.map((key) => (
                <Fragment key={key.id}>
                  <tr data-api-key-id={key.id} className="align-top">
                    <th scope="row" className="px-3 py-2 font-medium text-slate-900">
                      {key.name}
                      <span className="block font-mono text-xs font-normal text-slate-600">{key.prefix}</span>
                    </th>
                    <td className="px-3 py-2">
                      <ul className="space-y-0.5 font-mono text-xs text-slate-800">
                        {key.scopes.map((scope) => (
                          <li key={scope}>{scope}</li>
                        ))}
                      </ul>
                    </td>
                    <td className="px-3 py-2 text-slate-700">
                      <time dateTime={key.created.iso}>{key.created.label}</time>
                    </td>
                    <td className="px-3 py-2 text-slate-700">
                      <time dateTime={key.expires.iso}>{key.expires.label}</time>
                    </td>
                    <td className="px-3 py-2 text-slate-700">
                      {key.lastUsed ? (
                        <>
                          <time dateTime={key.lastUsed.iso}>{key.lastUsed.label}</time>
                          {key.lastUsedIp ? <span className="block text-xs text-slate-600">from {key.lastUsedIp}</span> : null}
                        </>
                      ) : (
                        'Never'
                      )}
                    </td>
                    <td className="space-y-1 px-3 py-2">
                      <span className={`${BADGE} ${STATUS[key.status].className}`}>{STATUS[key.status].label}</span>
                      {key.status === 'rotating' && key.worksUntil ? (
                        <span className="block text-xs text-slate-600">
                          until <time dateTime={key.worksUntil.iso}>{key.worksUntil.label}</time>
                        </span>
                      ) : null}
                      {key.rotationDue ? (
                        <span className={`${BADGE} block w-fit bg-amber-50 text-amber-900 ring-amber-300`}>Rotate soon</span>
                      ) : null}
                    </td>
                    <td className="px-3 py-2">
                      <div className="flex flex-wrap gap-2">
                        {key.status === 'active' ? (
                          <Button
                            variant="secondary"
                            disabled={!hydrated || pending}
                            onClick={() => setConfirming({ id: key.id, action: 'rotate' })}
                          >
                            Rotate<span className="sr-only"> {key.name} ({key.prefix})</span>
                          </Button>
                        ) : null}
                        {key.status === 'active' || key.status === 'rotating' ? (
                          <Button
                            variant="secondary"
                            disabled={!hydrated || pending}
                            onClick={() => setConfirming({ id: key.id, action: 'revoke' })}
                          >
                            Revoke<span className="sr-only"> {key.name} ({key.prefix})</span>
                          </Button>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                  {confirming?.id === key.id ? (
                    <tr>
                      <td colSpan={7} className="px-3 py-2">
                        <ConfirmAction
                          id="api-key-confirm"
                          question={
                            confirming.action === 'rotate' ? (
                              <>
                                Rotate “{key.name}” ({key.prefix})? A new key with the same scopes is created and shown once; the old one
                                keeps working for {overlap}, then stops.
                              </>
                            ) : (
                              <>
                                Revoke “{key.name}” ({key.prefix})? It stops working at once, and this cannot be undone.
                              </>
                            )
                          }
                          confirmLabel={confirming.action === 'rotate' ? 'Rotate key' : 'Revoke key'}
                          pendingLabel={confirming.action === 'rotate' ? 'Rotating…' : 'Revoking…'}
                          pending={pending}
                          onConfirm={() => act(confirming)}
                          onCancel={() => setConfirming(null)}
                        />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
