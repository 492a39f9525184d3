'use client';

import './globals.css';
import { ErrorPanel } from '@/components/ui/error-panel';

/** Errors in the root layout itself: this replaces the whole document, so it has its own html. */
export default function GlobalError({ error }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <title>Something went wrong · Optare</title>
        {/* The layout failed, so a re-render would likely fail again: reload the page instead. */}
        <ErrorPanel digest={error.digest} onRetry={() => window.location.reload()} />
      </body>
    </html>
  );
}
