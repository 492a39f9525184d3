'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { CopyButton } from './copy-button';

/**
 * A client's id and its new secret, shown this once: Optare keeps only the secret's hash. Each
 * is in a read-only field (selectable) with a Copy button.
 */
export function SecretReveal({
  title,
  clientId,
  secret,
  children,
  onDone,
}: {
  title: string;
  clientId: string;
  secret: string | null;
  /** What else to know, e.g. until when the old secret works. */
  children?: ReactNode;
  onDone?: () => void;
}) {
  const titleId = useId();
  const group = useRef<HTMLDivElement>(null);
  // The form or button that led here is gone: reading goes on from what it produced.
  useEffect(() => group.current?.focus(), []);
  return (
    <div
      ref={group}
      tabIndex={-1}
      role="group"
      aria-labelledby={titleId}
      className="space-y-4 rounded-xl border border-amber-200 bg-amber-50 px-4 py-4 focus:outline-none"
    >
      <h3 id={titleId} className="text-sm font-semibold text-amber-950">
        {title}
      </h3>
      {secret ? (
        <p className="text-sm text-amber-950">
          Copy the client secret now: this is the only time it is shown (Optare keeps only a hash of it). Store it where your app reads
          its configuration, never in code sent to browsers.
        </p>
      ) : null}
      {children ? <div className="text-sm text-amber-950">{children}</div> : null}
      <ReadOnlyValue label="Client ID" value={clientId} what="the client ID" />
      {secret ? <ReadOnlyValue label="Client secret" value={secret} what="the client secret" /> : null}
      {onDone ? (
        <Button variant="secondary" onClick={onDone}>
          {secret ? 'I have saved the secret' : 'Done'}
        </Button>
      ) : null}
    </div>
  );
}

function ReadOnlyValue({ label, value, what }: { label: string; value: string; what: string }) {
  const id = useId();
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="flex flex-wrap items-center gap-2">
        <input
          id={id}
          readOnly
          value={value}
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
          className="block min-w-0 flex-1 rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-sm text-slate-900"
        />
        <CopyButton text={value} what={what} />
      </div>
    </div>
  );
}
