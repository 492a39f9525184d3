'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormAlert } from '@/components/ui/alert';
import { postJson } from '@/components/auth/post-json';
import { useLinkToken } from './link-token';

/**
 * Confirms an emailed link with a button press (a POST), so that mail scanners which open links
 * do not use it up.
 */
export function ConfirmLinkButton({ endpoint, label, optional = false }: { endpoint: string; label: string; optional?: boolean }) {
  const token = useLinkToken();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | undefined>();
  if (token === null && optional) return null;
  if (token === null) return <p className="text-sm">This link is incomplete. Open the link from the email again.</p>;
  return (
    <div className="space-y-5">
      <FormAlert id="confirm-error" message={error} />
      <Button
        type="button"
        fullWidth
        disabled={token === undefined}
        pending={pending}
        pendingLabel="Confirming…"
        onClick={async () => {
          setPending(true);
          const result = await postJson(endpoint, { token });
          if (result.ok) {
            window.location.assign(result.redirectTo);
            return;
          }
          setError(result.message);
          setPending(false);
        }}
      >
        {label}
      </Button>
    </div>
  );
}
