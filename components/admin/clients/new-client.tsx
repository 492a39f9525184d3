'use client';

import { useState } from 'react';
import Link from 'next/link';
import { ActionError, localFailure, type ActionFailure } from '@/components/account/action-error';
import { ClientSettingsForm } from './client-settings-form';
import { NEW_CLIENT_VALUES } from './client-form-values';
import { SecretReveal } from './secret-reveal';

interface Created {
  id: string;
  name: string;
  secret: string | null;
}

/** The registration form, then the new client's id and secret, shown this once. */
export function NewClient() {
  const [created, setCreated] = useState<Created | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);

  if (created) {
    return (
      <SecretReveal title={`“${created.name}” is registered`} clientId={created.id} secret={created.secret}>
        <p>
          Next,{' '}
          <Link href={`/admin/clients/${encodeURIComponent(created.id)}`} className="font-semibold underline underline-offset-2">
            open the client
          </Link>{' '}
          for configuration snippets to paste into your app.
        </p>
      </SecretReveal>
    );
  }

  return (
    <>
      <ActionError id="new-client-failure" failure={failure} />
      <ClientSettingsForm
        id="new-client"
        endpoint="/api/admin/console/clients"
        initial={NEW_CLIENT_VALUES}
        submitLabel="Register client"
        pendingLabel="Registering…"
        onSuccess={({ data }) => {
          const client = data.client as { id?: unknown; name?: unknown } | undefined;
          if (typeof client?.id !== 'string' || typeof client.name !== 'string') {
            setFailure(localFailure());
            return;
          }
          setCreated({ id: client.id, name: client.name, secret: typeof data.clientSecret === 'string' ? data.clientSecret : null });
        }}
      />
    </>
  );
}
