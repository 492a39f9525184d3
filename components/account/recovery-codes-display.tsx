'use client';

import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';

/**
 * A new set of recovery codes, shown this once: the server keeps only their hashes. Copy puts
 * them on the clipboard; Download saves them as a text file made in the browser.
 */
export function RecoveryCodesDisplay({ codes }: { codes: string[] }) {
  const titleId = useId();
  const [status, setStatus] = useState<string | null>(null);
  const text = `Optare recovery codes\nEach code works once. Keep them somewhere safe.\n\n${codes.join('\n')}\n`;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setStatus('Recovery codes copied.');
    } catch {
      setStatus('Could not copy. Select the codes and copy them yourself.');
    }
  };

  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'optare-recovery-codes.txt';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    setStatus('Recovery codes downloaded.');
  };

  return (
    <div role="group" aria-labelledby={titleId} className="space-y-3 rounded-xl border border-amber-200 bg-amber-50 px-4 py-4">
      <h3 id={titleId} className="text-sm font-semibold text-amber-950">
        Save your recovery codes
      </h3>
      <p className="text-sm text-amber-950">
        If you lose your authenticator app or passkey, each of these codes signs you in once. They are shown only now: copy or
        download them and keep them somewhere safe.
      </p>
      <ol aria-label="Recovery codes" className="grid grid-cols-1 gap-1 font-mono text-sm text-slate-900 sm:grid-cols-2">
        {codes.map((code) => (
          <li key={code} className="rounded bg-white px-2 py-1 ring-1 ring-amber-200">
            {code}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={copy}>
          Copy codes
        </Button>
        <Button variant="secondary" onClick={download}>
          Download .txt
        </Button>
      </div>
      <p role="status" className="text-sm text-amber-950">
        {status}
      </p>
    </div>
  );
}
