'use client';

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';

/** A key just created or rotated, as the server answered it: its text is never shown again. */
export interface RevealedKey {
  key: string;
  name: string;
  prefix: string;
}

/**
 * A new API key, shown this once: the server keeps only its hash. Copy puts it on the
 * clipboard; the text is also selectable in a read-only field.
 */
export function NewKeyDisplay({ revealed, note, onDone }: { revealed: RevealedKey; note?: ReactNode; onDone: () => void }) {
  const titleId = useId();
  const inputId = useId();
  const [status, setStatus] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  // Wherever the action was, the new key comes into view with its text selected.
  useEffect(() => input.current?.focus(), [revealed.key]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(revealed.key);
      setStatus('API key copied.');
    } catch {
      setStatus('Could not copy. Select the key and copy it yourself.');
    }
  };

  return (
    <div role="group" aria-labelledby={titleId} className="space-y-3 rounded-xl border border-amber-200 bg-amber-50 px-4 py-4">
      <h3 id={titleId} className="text-sm font-semibold text-amber-950">
        Copy the new key for “{revealed.name}” now
      </h3>
      <p className="text-sm text-amber-950">
        This is the only time it is shown: Optare keeps only a hash of it. Send it as <code>Authorization: Bearer …</code>.
      </p>
      {note ? <p className="text-sm text-amber-950">{note}</p> : null}
      <div className="space-y-1.5">
        <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
          New API key ({revealed.prefix})
        </label>
        <input
          ref={input}
          id={inputId}
          readOnly
          value={revealed.key}
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
          className="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-sm text-slate-900"
        />
      </div>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={copy}>
          Copy<span className="sr-only"> the new API key</span>
        </Button>
        <Button variant="secondary" onClick={onDone}>
          I have saved it
        </Button>
      </div>
      <p role="status" className="text-sm text-amber-950">
        {status}
      </p>
    </div>
  );
}

/** The revealed key in a successful console answer `{ key, apiKey: { name, prefix } }`, or null when it is not one. */
export function revealedKeyOf(data: Record<string, unknown>): RevealedKey | null {
  const apiKey = data.apiKey as Record<string, unknown> | null | undefined;
  if (typeof data.key !== 'string' || !data.key.startsWith('opk_') || typeof apiKey !== 'object' || apiKey === null) return null;
  if (typeof apiKey.name !== 'string' || typeof apiKey.prefix !== 'string') return null;
  return { key: data.key, name: apiKey.name, prefix: apiKey.prefix };
}
