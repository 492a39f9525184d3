'use client';

import { useId, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, ActionStatus, localFailure, type ActionFailure } from '@/components/account/action-error';
import { ConfirmAction } from '@/components/account/confirm-action';
import { when } from '@/components/account/dates';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { SecretReveal } from './secret-reveal';

const base = (clientId: string) => `/api/admin/console/clients/${encodeURIComponent(clientId)}`;

/**
 * Rotate the secret, after confirmation. The old secret keeps working for the overlap (so the
 * app can be redeployed), unless the administrator says it leaked; the new one is shown once.
 */
export function RotateSecret({ clientId, name, overlap }: { clientId: string; name: string; overlap: string | null }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const checkboxId = useId();
  const [confirming, setConfirming] = useState(false);
  const [immediate, setImmediate] = useState(false);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [rotated, setRotated] = useState<{ secret: string; oldUntil: string | null } | null>(null);

  const rotate = async () => {
    setPending(true);
    setFailure(null);
    const result = await callJson(`${base(clientId)}/secret`, { immediate });
    setPending(false);
    if (!result.ok) {
      setFailure(result);
      return;
    }
    if (typeof result.data.clientSecret !== 'string') {
      setFailure(localFailure());
      return;
    }
    const until = result.data.previousSecretExpiresAt;
    setRotated({ secret: result.data.clientSecret, oldUntil: typeof until === 'string' ? when(new Date(until)).label : null });
    setConfirming(false);
    setImmediate(false);
    router.refresh();
  };

  return (
    <div className="space-y-4">
      {rotated ? (
        <SecretReveal title={`New secret for “${name}”`} clientId={clientId} secret={rotated.secret} onDone={() => setRotated(null)}>
          <p id="rotated-old-secret">
            {rotated.oldUntil
              ? `The old secret keeps working until ${rotated.oldUntil}: update your app before then.`
              : 'The old secret no longer works.'}
          </p>
        </SecretReveal>
      ) : null}
      {confirming ? (
        <div className="space-y-3">
          <ConfirmAction
            id="rotate-secret-question"
            question={
              overlap
                ? `Generate a new secret for “${name}”? The old secret keeps working for ${overlap}, so you can update your app without downtime.`
                : `Generate a new secret for “${name}”? The old secret stops working at once.`
            }
            confirmLabel="Rotate secret"
            pendingLabel="Rotating…"
            pending={pending}
            onConfirm={rotate}
            onCancel={() => {
              setConfirming(false);
              setImmediate(false);
            }}
          />
          {overlap ? (
            <span className="flex items-start gap-2">
              <input
                id={checkboxId}
                type="checkbox"
                checked={immediate}
                onChange={(event) => setImmediate(event.target.checked)}
                className="mt-0.5 size-4 shrink-0 accent-brand-600"
              />
              <label htmlFor={checkboxId} className="text-sm text-slate-900">
                The old secret leaked: stop accepting it now
              </label>
            </span>
          ) : null}
        </div>
      ) : (
        <Button variant="secondary" disabled={!hydrated} onClick={() => setConfirming(true)}>
          Rotate secret…
        </Button>
      )}
      <ActionError id="rotate-secret-error" failure={failure} />
    </div>
  );
}

/** Disable (after confirmation) or enable the client. */
export function ClientEnabledToggle({ clientId, name, enabled }: { clientId: string; name: string; enabled: boolean }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  const change = async (enable: boolean) => {
    setPending(true);
    setFailure(null);
    setStatus(null);
    const result = await callJson(`${base(clientId)}/${enable ? 'enable' : 'disable'}`);
    setPending(false);
    setConfirming(false);
    if (!result.ok) {
      setFailure(result);
      return;
    }
    setStatus(enable ? `“${name}” is enabled.` : `“${name}” is disabled.`);
    router.refresh();
  };

  return (
    <div className="space-y-3">
      {enabled ? (
        confirming ? (
          <ConfirmAction
            id="disable-client-question"
            question={`Disable “${name}”? It can no longer sign users in or get tokens, and its access tokens stop working. Its grants are kept: enabling it again restores them.`}
            confirmLabel="Disable client"
            pendingLabel="Disabling…"
            pending={pending}
            onConfirm={() => change(false)}
            onCancel={() => setConfirming(false)}
          />
        ) : (
          <Button variant="secondary" disabled={!hydrated} onClick={() => setConfirming(true)}>
            Disable client…
          </Button>
        )
      ) : (
        <Button disabled={!hydrated} pending={pending} pendingLabel="Enabling…" onClick={() => change(true)}>
          Enable client
        </Button>
      )}
      <ActionError id="client-enabled-error" failure={failure} />
      <ActionStatus id="client-enabled-status" message={status} />
    </div>
  );
}

/** Delete the client once its name is typed exactly: its consents and grants go with it. */
export function DeleteClient({ clientId, name }: { clientId: string; name: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);

  const remove = async (event: FormEvent) => {
    event.preventDefault();
    if (typed !== name) {
      setError('Type the client’s name exactly as shown to confirm.');
      return;
    }
    setPending(true);
    setFailure(null);
    setError(undefined);
    const result = await callJson(`${base(clientId)}/delete`, { name: typed });
    if (!result.ok) {
      setPending(false);
      if (result.fieldErrors.name) setError(result.fieldErrors.name[0]);
      else setFailure(result);
      return;
    }
    router.push('/admin/clients?deleted=1');
  };

  if (!open) {
    return (
      <Button variant="secondary" disabled={!hydrated} onClick={() => setOpen(true)}>
        Delete client…
      </Button>
    );
  }
  return (
    <form method="post" noValidate onSubmit={remove} aria-label="Delete the client" className="space-y-3 rounded-xl border border-red-200 bg-red-50/50 px-4 py-3">
      <p className="text-sm text-slate-800">
        Deleting “{name}” removes it with its users’ consents and grants: every token issued to it stops working, and it can no longer
        sign anyone in. This cannot be undone.
      </p>
      <Field
        id="delete-client-name"
        label={`Type “${name}” to confirm`}
        autoComplete="off"
        spellCheck={false}
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        error={error}
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={typed !== name} pending={pending} pendingLabel="Deleting…">
          Delete client
        </Button>
        <Button
          variant="secondary"
          disabled={pending}
          onClick={() => {
            setOpen(false);
            setTyped('');
            setError(undefined);
          }}
        >
          Cancel
        </Button>
      </div>
      <ActionError id="delete-client-error" failure={failure} />
    </form>
  );
}
