'use client';

import { Button } from './button';
import { CardPage } from './card';

/**
 * What a render error shows: a calm message, a retry and the error's digest, which the
 * operator can find in the server log. The error's own message is never shown (it may hold
 * internals); in production Next.js replaces it anyway.
 */
export function ErrorPanel({ digest, onRetry }: { digest?: string | undefined; onRetry: () => void }) {
  return (
    <CardPage
      title="Something went wrong"
      description="Optare could not show this page. Try again; if it keeps happening, contact your administrator."
    >
      <div className="space-y-4">
        <Button variant="primary" fullWidth onClick={onRetry}>
          Try again
        </Button>
        {/* A plain link, a full page load: the client router may be what failed. */}
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
        <a
          href="/"
          className="block rounded-sm text-center text-sm font-medium text-brand-600 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
        >
          Go to the home page
        </a>
        {digest ? (
          <p className="text-center text-xs text-slate-500">
            Reference: <code className="font-mono">{digest}</code>
          </p>
        ) : null}
      </div>
    </CardPage>
  );
}
