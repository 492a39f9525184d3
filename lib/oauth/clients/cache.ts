import 'server-only';
import type { Bytes } from '../../crypto/hash';
import type { OAuthClientRecord } from './types';

/**
 * A short-lived, per-process cache of client rows, so that the endpoints every request goes
 * through look a client up once every few seconds rather than on every request. Changes made in
 * this process (createClient, updateClient, setClientEnabled, rotateClientSecret, deleteClient)
 * clear it at once; other processes (the CLI, other instances behind a load balancer) see them
 * within CLIENT_CACHE_TTL_MS.
 * Unknown ids are never cached, so a new client is usable at once everywhere.
 */
export const CLIENT_CACHE_TTL_MS = 5_000;
const CLIENT_CACHE_MAX = 1_000;

export interface LoadedClient {
  record: OAuthClientRecord;
  /** SHA-256 of the client secret; only client authentication reads it. */
  secretHash: Bytes | null;
  /**
   * The secret before the last rotation, accepted until `expiresAt` (epoch milliseconds). The
   * expiry is checked at each authentication, so a cached entry never extends it.
   */
  previousSecret: { hash: Bytes; expiresAt: number } | null;
}

interface Holder {
  generation: number;
  /** `settled` is `value` as a resolved promise, so a hit allocates nothing. */
  clients: Map<string, { value: LoadedClient; settled: Promise<LoadedClient>; expiresAt: number }>;
  /**
   * Lookups in flight, by id: requests that miss together share one query. Without it, every
   * request in flight when an entry expires (a full connection pool's worth under load) ran its
   * own query; on the embedded database those queries run on the event loop.
   */
  loading: Map<string, Promise<LoadedClient | null>>;
}

// On globalThis: Next.js route bundles and the server bootstrap are separate module graphs in one
// process, and a change made through one must clear the cache the others read.
const GLOBAL_KEY = Symbol.for('optare.oauthClientCache');
function holder(): Holder {
  const global = globalThis as { [GLOBAL_KEY]?: Holder };
  global[GLOBAL_KEY] ??= { generation: 0, clients: new Map(), loading: new Map() };
  return global[GLOBAL_KEY];
}

export function cachedClient(id: string, load: (id: string) => Promise<LoadedClient | null>): Promise<LoadedClient | null> {
  const cache = holder();
  const now = Date.now();
  const hit = cache.clients.get(id);
  if (hit && hit.expiresAt > now) return hit.settled;
  const inFlight = cache.loading.get(id);
  if (inFlight) return inFlight;
  const generation = cache.generation;
  const loading: Promise<LoadedClient | null> = load(id)
    .then((value) => {
      // A change committed while this row was being read must not be hidden by the stale read.
      if (value && cache.generation === generation) keep(cache, id, value, now);
      return value;
    })
    .finally(() => {
      if (cache.loading.get(id) === loading) cache.loading.delete(id);
    });
  cache.loading.set(id, loading);
  return loading;
}

function keep(cache: Holder, id: string, value: LoadedClient, now: number): void {
  if (cache.clients.size >= CLIENT_CACHE_MAX) {
    for (const [key, entry] of cache.clients) if (entry.expiresAt <= now) cache.clients.delete(key);
    if (cache.clients.size >= CLIENT_CACHE_MAX) cache.clients.delete(cache.clients.keys().next().value!);
  }
  cache.clients.set(id, { value, settled: Promise.resolve(value), expiresAt: now + CLIENT_CACHE_TTL_MS });
}

/** Forgets every cached client, and any read in flight: the next lookup queries afresh. */
export function invalidateClientCache(): void {
  const cache = holder();
  cache.generation += 1;
  cache.clients.clear();
  cache.loading.clear();
}

/** Cached records are shared between requests: freeze them so a caller cannot change another's view. */
export function freezeRecord(record: OAuthClientRecord): OAuthClientRecord {
  for (const value of Object.values(record)) if (Array.isArray(value)) Object.freeze(value);
  if (record.jwks) {
    record.jwks.keys.forEach((key) => Object.freeze(key));
    Object.freeze(record.jwks.keys);
    Object.freeze(record.jwks);
  }
  return Object.freeze(record);
}
