'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import type { ActionFailure } from '@/components/account/action-error';

/**
 * One console action on a user: POST `{}` (or a body) to its route, then the status line or the
 * error, and a refresh of the server-rendered page so it shows the user as they are now.
 */
export function useUserAction() {
  const router = useRouter();
  const [pending, setPending] = useState<string | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  const run = async (key: string, url: string, body: Record<string, unknown>, done: (data: Record<string, unknown>) => string): Promise<boolean> => {
    setPending(key);
    setFailure(null);
    setStatus(null);
    const result = await callJson(url, body);
    setPending(null);
    router.refresh();
    if (!result.ok) {
      setFailure(result);
      return false;
    }
    setStatus(done(result.data));
    return true;
  };

  const clear = () => {
    setFailure(null);
    setStatus(null);
  };

  return { pending, failure, status, run, clear, setFailure };
}

/** "1 session", "3 sessions". */
export function count(value: unknown, one: string, many: string): string {
  const n = typeof value === 'number' ? value : 0;
  return `${n} ${n === 1 ? one : many}`;
}
