import type { ReactNode } from 'react';

/**
 * The form-level error region. The live region itself is always in the document, empty and
 * without height when there is nothing to say, so that assistive technology announces the
 * message the moment it appears inside.
 */
export function FormAlert({ id, message }: { id: string; message?: string | undefined }) {
  return (
    <div id={id} role="alert">
      {message ? (
        <p className="mb-5 rounded-lg border border-red-200 bg-red-50 px-3 py-2.5 text-sm text-red-800">{message}</p>
      ) : null}
    </div>
  );
}

/** A calm, polite notice, e.g. "You have been signed out." */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2.5 text-sm text-emerald-900">
      {children}
    </div>
  );
}
