'use client';

import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';

/** "Are you sure?" for a change that cannot be undone: the question, then confirm or cancel. */
export function ConfirmAction({
  id,
  question,
  confirmLabel,
  pendingLabel,
  pending,
  onConfirm,
  onCancel,
}: {
  /** The question's element id (the group is labelled by it). */
  id: string;
  question: ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  pending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div role="group" aria-labelledby={id} className="space-y-3 rounded-xl border border-slate-200 px-4 py-3">
      <p id={id} className="text-sm text-slate-800">
        {question}
      </p>
      <div className="flex flex-wrap gap-2">
        <Button onClick={onConfirm} pending={pending} pendingLabel={pendingLabel}>
          {confirmLabel}
        </Button>
        <Button variant="secondary" disabled={pending} onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
