import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentSession } from '@/app/_server/session';
import { DecisionButtons } from '@/components/consent/decision-buttons';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { consentPrompt } from '@/lib/oauth/authorize/consent';

export const metadata: Metadata = { title: 'Allow access' };

/**
 * Asks the signed-in user whether a client may have the scopes it requested. Bound to a pending
 * authorization request (?request=<handle>); anything else sends the browser where the request
 * stands (sign-in, the client, or the error page). The answer is checked again by the handler.
 */
export default async function ConsentPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { request } = await searchParams;
  const prompt = await consentPrompt(request, await currentSession(), new Date());
  if (!prompt.show) redirect(prompt.redirectTo);

  return (
    <CardPage
      title={`Allow ${prompt.clientName} to use your Optare account?`}
      description={
        <>
          Signed in as <strong className="font-semibold break-all text-slate-900">{prompt.userEmail}</strong>
        </>
      }
    >
      <div className="space-y-6">
        <div>
          <p className="text-sm font-medium text-slate-900">
            <span className="break-words">{prompt.clientName}</span> will be able to:
          </p>
          <ul aria-label="Requested permissions" className="mt-3 space-y-2">
            {prompt.scopes.map(({ scope, description }) => (
              <li key={scope} className="flex gap-2 text-sm text-slate-700">
                <span aria-hidden="true" className="mt-1.5 size-1.5 shrink-0 rounded-full bg-brand-600" />
                {description}
              </li>
            ))}
          </ul>
          {prompt.resources.length > 0 && (
            <>
              <p className="mt-4 text-sm font-medium text-slate-900">With access to these services:</p>
              <ul aria-label="Services" className="mt-2 space-y-1">
                {prompt.resources.map((resource) => (
                  <li key={resource} className="text-sm break-all text-slate-700">
                    {resource}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        <NoScript />
        <DecisionButtons
          endpoint="/consent/decision"
          body={{ request: request as string }}
          primary={{ value: 'approve', label: 'Approve', pendingLabel: 'Approving…' }}
          secondary={{ value: 'deny', label: 'Deny', pendingLabel: 'Denying…' }}
        />
      </div>
    </CardPage>
  );
}
