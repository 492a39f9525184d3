'use client';

import { ErrorPanel } from '@/components/ui/error-panel';

/** Errors thrown while rendering a page below the root layout. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorPanel digest={error.digest} onRetry={reset} />;
}
