'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormAlert } from '@/components/ui/alert';
import { useHydrated } from '@/components/auth/use-hydrated';
import { postJson } from '@/components/auth/post-json';

export interface Decision {
  /** Sent as `decision`. */
  value: string;
  label: string;
  pendingLabel: string;
}

/**
 * Two buttons that send a decision as JSON to one of Optare's endpoints and navigate to the URL
 * it answers with: the consent page and the sign-out confirmation. A JSON POST followed by
 * window.location.assign, rather than a form POST answered with a redirect: Chromium applies
 * the CSP's form-action to the redirect after a form submission, and the answer here usually
 * leads to the client's site, which form-action 'self' does not list.
 */
export function DecisionButtons({
  endpoint,
  body,
  primary,
  secondary,
}: {
  endpoint: string;
  body: Record<string, string>;
  primary: Decision;
  secondary: Decision;
}) {
  const hydrated = useHydrated();
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();

  async function decide(value: string) {
    setPending(value);
    setError(undefined);
    const result = await postJson(endpoint, { ...body, decision: value }, 'navigable');
    if (result.ok) {
      window.location.assign(result.redirectTo); // the page stays busy while the browser leaves
      return;
    }
    setError(result.message);
    setPending(null);
  }

  return (
    <div>
      <FormAlert id="decision-error" message={error} />
      <div className="flex flex-col gap-3">
        <Button
          variant="primary"
          fullWidth
          disabled={!hydrated || pending !== null}
          pending={pending === primary.value}
          pendingLabel={primary.pendingLabel}
          onClick={() => void decide(primary.value)}
        >
          {primary.label}
        </Button>
        <Button
          variant="secondary"
          fullWidth
          disabled={!hydrated || pending !== null}
          pending={pending === secondary.value}
          pendingLabel={secondary.pendingLabel}
          onClick={() => void decide(secondary.value)}
        >
          {secondary.label}
        </Button>
      </div>
    </div>
  );
}
