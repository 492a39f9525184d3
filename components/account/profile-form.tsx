'use client';

import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { fieldErrorsOf, profileSchema } from '@/lib/validation/account';
import { ActionError, ActionStatus, type ActionFailure } from './action-error';

/** Edits the user's name, checked with the same schema the server uses. */
export function ProfileForm({ name: initialName }: { name: string }) {
  const router = useRouter();
  const [name, setName] = useState(initialName);
  const [nameError, setNameError] = useState<string | undefined>();
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // Until React runs, a native submission would put the fields in the page's URL: the button waits.
  const hydrated = useHydrated();

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    setFailure(null);
    const parsed = profileSchema.safeParse({ name });
    if (!parsed.success) {
      setNameError(fieldErrorsOf(parsed.error).name?.[0]);
      return;
    }
    setNameError(undefined);
    setPending(true);
    const result = await callJson('/api/account/profile', { name });
    setPending(false);
    if (!result.ok) {
      if (result.fieldErrors.name) setNameError(result.fieldErrors.name[0]);
      else setFailure(result);
      return;
    }
    setStatus('Your name was saved.');
    router.refresh();
  };

  return (
    <form method="post" onSubmit={save} noValidate className="space-y-4">
      <Field id="profile-name" label="Name" name="name" autoComplete="name" value={name} onChange={(event) => setName(event.target.value)} error={nameError} required />
      <ActionError id="profile-error" failure={failure} />
      <ActionStatus id="profile-status" message={status} />
      <Button type="submit" disabled={!hydrated} pending={pending} pendingLabel="Saving…">
        Save name
      </Button>
    </form>
  );
}
