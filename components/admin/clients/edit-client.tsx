'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { ActionError, ActionStatus, localFailure, type ActionFailure } from '@/components/account/action-error';
import { ClientSettingsForm } from './client-settings-form';
import { formValuesOf, type ClientSettingsView } from './client-form-values';
import { SecretReveal } from './secret-reveal';

/**
 * Every setting of a registered client. Saving sends them all; when the change makes the client
 * start using a secret, the new secret is shown here once.
 */
export function EditClient({ clientId, client }: { clientId: string; client: ClientSettingsView }) {
  const router = useRouter();
  const [savedMethod, setSavedMethod] = useState(client.tokenEndpointAuthMethod);
  const [status, setStatus] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);

  return (
    <div className="space-y-5">
      {secret ? (
        <SecretReveal title="The client’s new secret" clientId={clientId} secret={secret} onDone={() => setSecret(null)} />
      ) : null}
      <ClientSettingsForm
        id="edit-client"
        endpoint={`/api/admin/console/clients/${encodeURIComponent(clientId)}`}
        initial={formValuesOf(client)}
        savedAuthMethod={savedMethod}
        submitLabel="Save changes"
        pendingLabel="Saving…"
        onSuccess={({ data, reset }) => {
          setStatus(null);
          setFailure(null);
          const saved = data.client as ClientSettingsView | undefined;
          if (typeof saved !== 'object' || saved === null || typeof saved.name !== 'string' || !Array.isArray(saved.redirectUris)) {
            setFailure(localFailure());
            return;
          }
          reset(formValuesOf(saved));
          setSavedMethod(saved.tokenEndpointAuthMethod);
          setSecret(typeof data.clientSecret === 'string' ? data.clientSecret : null);
          setStatus(data.changed === false ? 'Nothing to save: no setting was changed.' : 'Changes saved.');
          router.refresh();
        }}
      />
      <ActionError id="edit-client-failure" failure={failure} />
      <ActionStatus id="edit-client-status" message={status} />
    </div>
  );
}
