'use client';

import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { ActionError, ActionStatus, type ActionFailure } from './action-error';
import { AddPasskeyForm } from './add-passkey-form';
import { RecoveryCodesDisplay } from './recovery-codes-display';

/** A passkey as the page lists it; dates already formatted by the server. */
export interface PasskeyItem {
  id: string;
  nickname: string;
  created: { iso: string; label: string };
  lastUsed: { iso: string; label: string } | null;
  deviceType: 'synced' | 'device-bound';
}

/** The passkeys on the security page: the list (rename, delete with confirmation) and the form to add one. */
export function PasskeysSection({ passkeys }: { passkeys: PasskeyItem[] }) {
  const router = useRouter();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [editing, setEditing] = useState<{ id: string; mode: 'rename' | 'delete' } | null>(null);

  const done = (message: string) => {
    setEditing(null);
    setFailure(null);
    setStatus(message);
    router.refresh();
  };

  return (
    <div className="space-y-5">
      <ActionStatus id="passkeys-status" message={status} />
      <ActionError id="passkeys-error" failure={failure} />
      {passkeys.length > 0 ? (
        <ul aria-label="Your passkeys" className="divide-y divide-slate-200 rounded-xl ring-1 ring-slate-200">
          {passkeys.map((passkey) => (
            <li key={passkey.id} className="space-y-3 px-4 py-3">
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0">
                  <p className="font-medium break-words text-slate-900">{passkey.nickname}</p>
                  <p className="text-xs text-slate-600">
                    {passkey.deviceType === 'synced' ? 'Synced passkey' : 'Device-bound passkey'} · Added{' '}
                    <time dateTime={passkey.created.iso}>{passkey.created.label}</time> ·{' '}
                    {passkey.lastUsed ? (
                      <>
                        Last used <time dateTime={passkey.lastUsed.iso}>{passkey.lastUsed.label}</time>
                      </>
                    ) : (
                      'Never used'
                    )}
                  </p>
                </div>
                {editing?.id !== passkey.id ? (
                  <div className="flex gap-2">
                    <Button variant="secondary" onClick={() => (setEditing({ id: passkey.id, mode: 'rename' }), setStatus(null), setFailure(null))}>
                      Rename<span className="sr-only"> {passkey.nickname}</span>
                    </Button>
                    <Button variant="secondary" onClick={() => (setEditing({ id: passkey.id, mode: 'delete' }), setStatus(null), setFailure(null))}>
                      Delete<span className="sr-only"> {passkey.nickname}</span>
                    </Button>
                  </div>
                ) : null}
              </div>
              {editing?.id === passkey.id && editing.mode === 'rename' ? (
                <RenameForm passkey={passkey} onCancel={() => setEditing(null)} onRenamed={(name) => done(`Passkey renamed to “${name}”.`)} onFailure={setFailure} />
              ) : null}
              {editing?.id === passkey.id && editing.mode === 'delete' ? (
                <DeleteConfirmation
                  passkey={passkey}
                  onCancel={() => setEditing(null)}
                  onDeleted={(codesRemoved) => {
                    if (codesRemoved) setCodes(null);
                    done(
                      codesRemoved
                        ? `Passkey “${passkey.nickname}” deleted. It was your last second factor, so your recovery codes were deleted too.`
                        : `Passkey “${passkey.nickname}” deleted.`,
                    );
                  }}
                  onFailure={(problem) => (setEditing(null), setFailure(problem))}
                />
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">You have no passkeys yet.</p>
      )}
      <AddPasskeyForm
        onAdded={(recoveryCodes, nickname) => {
          setCodes(recoveryCodes);
          done(`Passkey “${nickname}” added.`);
        }}
      />
      {codes ? <RecoveryCodesDisplay codes={codes} /> : null}
    </div>
  );
}

function RenameForm({
  passkey,
  onCancel,
  onRenamed,
  onFailure,
}: {
  passkey: PasskeyItem;
  onCancel: () => void;
  onRenamed: (nickname: string) => void;
  onFailure: (failure: ActionFailure) => void;
}) {
  const [nickname, setNickname] = useState(passkey.nickname);
  const [error, setError] = useState<string | undefined>();
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!nickname.trim()) {
      setError('Enter a name.');
      return;
    }
    setPending(true);
    const result = await callJson('/api/account/passkeys/rename', { id: passkey.id, nickname });
    setPending(false);
    if (!result.ok) {
      if (result.fieldErrors.nickname) setError(result.fieldErrors.nickname[0]);
      else onFailure(result);
      return;
    }
    const renamed = result.data.passkey as { nickname?: unknown } | undefined;
    onRenamed(typeof renamed?.nickname === 'string' ? renamed.nickname : nickname.trim());
  };

  return (
    <form method="post" noValidate onSubmit={submit} className="space-y-3">
      <Field
        id={`rename-${passkey.id}`}
        label="New name"
        autoComplete="off"
        maxLength={64}
        value={nickname}
        error={error}
        onChange={(event) => setNickname(event.target.value)}
      />
      <div className="flex gap-2">
        <Button type="submit" pending={pending} pendingLabel="Saving…">
          Save name
        </Button>
        <Button variant="secondary" disabled={pending} onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function DeleteConfirmation({
  passkey,
  onCancel,
  onDeleted,
  onFailure,
}: {
  passkey: PasskeyItem;
  onCancel: () => void;
  onDeleted: (recoveryCodesRemoved: boolean) => void;
  onFailure: (failure: ActionFailure) => void;
}) {
  const [pending, setPending] = useState(false);

  const confirm = async () => {
    setPending(true);
    const result = await callJson('/api/account/passkeys/delete', { id: passkey.id });
    setPending(false);
    if (!result.ok) onFailure(result);
    else onDeleted(result.data.recoveryCodesRemoved === true);
  };

  const questionId = `delete-${passkey.id}-question`;
  return (
    <div role="group" aria-labelledby={questionId} className="space-y-3 rounded-lg bg-slate-50 px-3 py-3">
      <p id={questionId} className="text-sm text-slate-800">
        Delete “{passkey.nickname}”? You will no longer be able to sign in with it. Remove it from your device too.
      </p>
      <div className="flex gap-2">
        <Button onClick={confirm} pending={pending} pendingLabel="Deleting…">
          Delete passkey
        </Button>
        <Button variant="secondary" disabled={pending} onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
