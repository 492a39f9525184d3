import 'server-only';
import { TemporarilyUnavailable } from '../errors';

/**
 * The `jti`s of client assertions already accepted, each kept until its assertion expires, so
 * that an assertion works once (RFC 7523 §3 item 7, OIDC Core §9).
 *
 * LIMITATION: this is in memory, per process. With several instances behind a load balancer an
 * assertion could be replayed once on each instance within its lifetime (at most five minutes);
 * a shared store (a table with a unique (client_id, jti) key) is the follow-up.
 *
 * Bounded: only assertions with a valid signature are remembered, so filling it takes a client's
 * own key. When it is full of unexpired entries, new assertions are refused (503) rather than
 * forgetting one that could then be replayed.
 */
export const MAX_REMEMBERED_JTIS = 100_000;

interface Store {
  /** key → expiry in epoch milliseconds */
  seen: Map<string, number>;
}

const GLOBAL_KEY = Symbol.for('optare.clientAssertionJtis');
function store(): Store {
  const global = globalThis as { [GLOBAL_KEY]?: Store };
  global[GLOBAL_KEY] ??= { seen: new Map() };
  return global[GLOBAL_KEY];
}

/**
 * Records that `clientId` used `jti`, until `expiresAtMs`. Returns false when it was already
 * used (a replay). Synchronous, so two concurrent requests cannot both see it as new.
 */
export function rememberJti(clientId: string, jti: string, expiresAtMs: number, now = Date.now()): boolean {
  const { seen } = store();
  const key = `${clientId}\u0000${jti}`;
  const until = seen.get(key);
  if (until !== undefined && until > now) return false;
  if (until === undefined && seen.size >= MAX_REMEMBERED_JTIS) {
    for (const [entry, expiry] of seen) if (expiry <= now) seen.delete(entry);
    if (seen.size >= MAX_REMEMBERED_JTIS) {
      throw new TemporarilyUnavailable('Too many client assertions at once; retry shortly.', 'jti store full');
    }
  }
  seen.set(key, expiresAtMs);
  return true;
}

/** For tests: forget every remembered jti. */
export function forgetRememberedJtis(): void {
  store().seen.clear();
}
