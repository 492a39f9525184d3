import { CopyButton } from './copy-button';
import { discoveryUrl, integrationSnippets, SECRET_VARIABLE, type SnippetClient } from './snippets';

/**
 * "Connect your app": the discovery URL and client id, then configuration for common libraries,
 * each in a disclosure (the first open) with a Copy button. Server component (the code is text React escapes); the secret is never
 * here, an environment variable stands in for it.
 */
export function IntegrationSnippets({ client, hasSecret }: { client: SnippetClient; hasSecret: boolean }) {
  const discovery = discoveryUrl(client.issuer);
  return (
    <div className="space-y-5">
      <dl className="grid gap-3 text-sm sm:grid-cols-[max-content_minmax(0,1fr)] sm:gap-x-6">
        <dt className="font-medium text-slate-700">Discovery URL</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <code className="break-all text-slate-900">{discovery}</code>
          <CopyButton text={discovery} what="the discovery URL" />
        </dd>
        <dt className="font-medium text-slate-700">Client ID</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <code className="break-all text-slate-900">{client.clientId}</code>
          <CopyButton text={client.clientId} what="the client ID" />
        </dd>
      </dl>
      {hasSecret ? (
        <p className="text-sm text-slate-600">
          The snippets read the client secret from the <code>{SECRET_VARIABLE}</code> environment variable: it was shown once, when
          it was created. Rotate it below if it is lost.
        </p>
      ) : null}
      {integrationSnippets(client).map((snippet, index) => (
        <details key={snippet.id} open={index === 0} className="rounded-lg ring-1 ring-slate-200">
          <summary className="cursor-pointer rounded-lg px-4 py-3 focus-visible:outline-2 focus-visible:outline-brand-600">
            <h3 className="inline text-sm font-semibold text-slate-900">
              {snippet.title} <span className="font-normal text-slate-600">({snippet.file})</span>
            </h3>
          </summary>
          <div className="space-y-2 px-4 pb-4">
            <CopyButton text={snippet.code} what={`the ${snippet.title} snippet`} />
            <pre className="overflow-x-auto rounded-lg bg-slate-900 px-4 py-3 text-xs leading-5 text-slate-100">
              <code>{snippet.code}</code>
            </pre>
          </div>
        </details>
      ))}
    </div>
  );
}
