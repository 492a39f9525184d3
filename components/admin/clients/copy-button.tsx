'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';

/**
 * Copies `text` to the clipboard (navigator.clipboard) and says so in a status region next to
 * the button ("Copied"), which assistive technology announces. `what` completes the button's
 * accessible name ("Copy the client secret").
 */
export function CopyButton({ text, what, label = 'Copy' }: { text: string; what: string; label?: string }) {
  const [status, setStatus] = useState<string | null>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setStatus('Copied');
    } catch {
      setStatus('Could not copy: select the text and copy it yourself.');
    }
  };

  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Button variant="secondary" onClick={copy}>
        {label}
        <span className="sr-only"> {what}</span>
      </Button>
      <span role="status" className="text-sm text-slate-700">
        {status}
      </span>
    </span>
  );
}
