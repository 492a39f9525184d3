'use client';

import { useState } from 'react';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, localFailure, type ActionFailure } from '@/components/account/action-error';
import { Button } from '@/components/ui/button';

interface ChainStatus {
  ok: boolean;
  events: number;
  intactThroughSeq: number;
  prunedThroughSeq: number | null;
  firstBroken: { seq: number; code: string; reason: string } | null;
  checkedAt: string;
  durationMs: number;
}

function statusOf(data: Record<string, unknown>): ChainStatus | null {
  if (typeof data.ok !== 'boolean' || typeof data.events !== 'number' || typeof data.intactThroughSeq !== 'number') return null;
  const broken = data.firstBroken as ChainStatus['firstBroken'] | undefined;
  if (!data.ok && (!broken || typeof broken.seq !== 'number' || typeof broken.reason !== 'string')) return null;
  return {
    ok: data.ok,
    events: data.events,
    intactThroughSeq: data.intactThroughSeq,
    prunedThroughSeq: typeof data.prunedThroughSeq === 'number' ? data.prunedThroughSeq : null,
    firstBroken: broken ?? null,
    checkedAt: typeof data.checkedAt === 'string' ? data.checkedAt : '',
    durationMs: typeof data.durationMs === 'number' ? data.durationMs : 0,
  };
}

/**
 * The chain-integrity indicator: runs the audit log's hash-chain verification on demand (every
 * record, oldest first) and says whether the log is intact, or where it breaks. On a large log
 * the button stays busy while the server works, however many requests that takes.
 */
export function ChainIntegrity() {
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [status, setStatus] = useState<ChainStatus | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);

  const verify = async () => {
    setPending(true);
    setFailure(null);
    setStatus(null);
    // A large log takes longer than one request waits: ask again about the same check until it is done.
    let checkId: string | undefined;
    for (;;) {
      const result = await callJson('/api/admin/console/audit/verify', checkId ? { checkId } : {});
      if (!result.ok) {
        setFailure(result);
        break;
      }
      if (result.data.state === 'running' && typeof result.data.checkId === 'string') {
        checkId = result.data.checkId;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      const checked = statusOf(result.data);
      if (checked) setStatus(checked);
      else setFailure(localFailure());
      break;
    }
    setPending(false);
  };

  return (
    <div className="space-y-3">
      <div role="status" aria-live="polite">
        {status ? (
          status.ok ? (
            <p className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2.5 text-sm text-emerald-900">
              <strong className="font-semibold">Intact through seq {status.intactThroughSeq}.</strong> {status.events}{' '}
              {status.events === 1 ? 'event' : 'events'} checked in {seconds(status.durationMs)}.
              {status.prunedThroughSeq !== null
                ? ` Events up to seq ${status.prunedThroughSeq} were removed by the retention setting; the chain is verified from there.`
                : null}
            </p>
          ) : (
            <div className="space-y-1 rounded-lg border border-red-200 bg-red-50 px-3 py-2.5 text-sm text-red-900">
              <p>
                <strong className="font-semibold">Broken at seq {status.firstBroken?.seq}.</strong>{' '}
                {status.intactThroughSeq > 0 ? `Intact through seq ${status.intactThroughSeq}.` : 'No record can be trusted.'}
              </p>
              <p>{status.firstBroken?.reason}</p>
            </div>
          )
        ) : null}
      </div>
      <ActionError id="chain-integrity-error" failure={failure} />
      <Button variant="secondary" onClick={verify} disabled={!hydrated} pending={pending} pendingLabel="Verifying…">
        Verify the hash chain
      </Button>
    </div>
  );
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
