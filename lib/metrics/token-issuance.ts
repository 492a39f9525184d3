import 'server-only';
import { addTokenIssuanceCounts, type TokenCountIncrement } from '../db/token-counts';
import { logger } from '../log/logger';

/**
 * Tokens issued per client and UTC day, for the dashboard. The token endpoint must not write per
 * token (client_credentials issues without a single write), so each instance counts in memory and
 * adds its counts to token_issuance_counts every FLUSH_INTERVAL_MS, and once more at shutdown
 * (lib/server/main.ts). A crash loses at most the last interval's counts: this is a dashboard
 * figure, not an audit record.
 *
 * The pending counts live on globalThis so that the server bootstrap (which flushes at shutdown)
 * and Next.js's route bundles (which issue tokens) share one tally and one timer.
 */

export const FLUSH_INTERVAL_MS = 10_000;
const DAY_MS = 86_400_000;

interface Tally {
  /** UTC day number (days since 1970-01-01) → client id → tokens not yet flushed. */
  pending: Map<number, Map<string, number>>;
  timer?: ReturnType<typeof setInterval>;
  flushing?: Promise<void>;
}

const TALLY_KEY = Symbol.for('optare.token-issuance');
type Holder = { [TALLY_KEY]?: Tally };

/** This module graph's handle on the shared tally (found once on globalThis). */
let shared: Tally | undefined;

function tally(): Tally {
  if (shared) return shared;
  const holder = globalThis as Holder;
  holder[TALLY_KEY] ??= { pending: new Map() };
  shared = holder[TALLY_KEY];
  return shared;
}

/** Counts one token response for `clientId`: two map lookups, no I/O. */
export function countTokenIssued(clientId: string, now: number = Date.now()): void {
  const state = tally();
  const day = Math.floor(now / DAY_MS);
  let clients = state.pending.get(day);
  if (!clients) {
    clients = new Map();
    state.pending.set(day, clients);
  }
  clients.set(clientId, (clients.get(clientId) ?? 0) + 1);
  if (state.timer === undefined) {
    state.timer = setInterval(() => void flushTokenIssuanceCounts(), FLUSH_INTERVAL_MS);
    state.timer.unref();
  }
}

/** The counts not yet written, as rows (tests, and the flush). */
export function pendingTokenCounts(): TokenCountIncrement[] {
  const rows: TokenCountIncrement[] = [];
  for (const [day, clients] of tally().pending) {
    const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    for (const [clientId, count] of clients) rows.push({ day: date, clientId, count });
  }
  return rows;
}

/**
 * Writes the pending counts (one statement) and forgets them. If the write fails they are kept
 * and added to the next flush. Concurrent calls wait for the flush in progress, then flush what
 * was counted meanwhile.
 */
export async function flushTokenIssuanceCounts(): Promise<void> {
  const state = tally();
  while (state.flushing) await state.flushing;
  if (state.pending.size === 0) return;
  const rows = pendingTokenCounts();
  state.pending = new Map();
  const flushing = addTokenIssuanceCounts(rows)
    .catch((error: unknown) => {
      for (const row of rows) restore(state, row);
      logger().warn({ err: error, rows: rows.length }, 'could not write the token issuance counts: will retry');
    })
    .finally(() => {
      state.flushing = undefined;
    });
  state.flushing = flushing;
  await flushing;
}

function restore(state: Tally, row: TokenCountIncrement): void {
  const day = Math.floor(Date.parse(`${row.day}T00:00:00Z`) / DAY_MS);
  let clients = state.pending.get(day);
  if (!clients) {
    clients = new Map();
    state.pending.set(day, clients);
  }
  clients.set(row.clientId, (clients.get(row.clientId) ?? 0) + row.count);
}

/** Stops the periodic flush (shutdown, after the last flush; tests). Counting again restarts it. */
export function stopTokenIssuanceFlush(): void {
  const state = tally();
  if (state.timer) clearInterval(state.timer);
  state.timer = undefined;
}
