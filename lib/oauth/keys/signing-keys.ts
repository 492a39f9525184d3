import 'server-only';
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { getConfig } from '../../config';
import { decrypt, encrypt } from '../../crypto/encryption';
import { recordAuditEvent } from '../../audit/record';
import type { AuditContext, AuditEventInput } from '../../audit/events';
import {
  findActiveSigningKey,
  findPublishedSigningKeys,
  insertSigningKey,
  listSigningKeys,
  retireSigningKey,
  withSigningKeyLock,
} from '../../db/signing-keys';
import { MAX_TOKEN_TTL_SECONDS } from '../tokens/lifetimes';

/**
 * Optare's token signing keys: RSA-2048, RS256, `kid` = RFC 7638 thumbprint, private key sealed
 * at rest (AES-256-GCM bound to `signing-key:<kid>`). One key is active and signs; a retired key
 * stays in the JWKS until every token it signed has expired.
 *
 * Signing must not cost a query: the active key and the published set are cached in memory
 * (on globalThis, shared by the server bootstrap and Next.js's route bundles) for CACHE_TTL_MS,
 * so a rotation made by another instance or by the CLI is picked up within that time.
 */

export const SIGNING_ALG = 'RS256';
const MODULUS_BITS = 2048;
const CACHE_TTL_MS = 30_000;
/** An unknown kid refreshes the published set at most this often (a token from a just-rotated instance). */
const UNKNOWN_KID_REFRESH_MS = 1_000;
/**
 * How long a retired key stays published beyond MAX_TOKEN_TTL_SECONDS: other instances may go on
 * signing with it until their cache expires, and clocks differ a little.
 */
const PUBLISH_MARGIN_SECONDS = 300;

export interface ActiveSigningKey {
  kid: string;
  alg: 'RS256';
  privateKey: KeyObject;
}

/** A public signing key as published in the JWKS. */
export interface PublicSigningJwk {
  kty: 'RSA';
  kid: string;
  n: string;
  e: string;
  use: 'sig';
  alg: 'RS256';
}

export type KeyChangeReason = 'initial' | 'scheduled' | 'manual';

const SERVER_CONTEXT: AuditContext = { ip: null, userAgent: 'optare-server', requestId: null };

// ---------------------------------------------------------------------------------------------
// Generation and rotation

/**
 * Makes sure a usable key exists: creates the first one, or rotates when the active key is older
 * than OPTARE_SIGNING_KEY_ROTATION. Safe when several instances call it at once.
 */
export async function ensureSigningKey(now = new Date()): Promise<void> {
  const active = await findActiveSigningKey();
  if (active && !isDueForRotation(active.createdAt, now)) return;
  await replaceActiveKey(now, SERVER_CONTEXT, (current) =>
    !current ? 'initial' : isDueForRotation(current.createdAt, now) ? 'scheduled' : null,
  );
}

/** Who rotated a key by hand, for the audit event: an administrator or an admin API key (none: the CLI). */
export type KeyRotationActor = Pick<AuditEventInput, 'actorUserId' | 'actorApiKeyId'>;

/**
 * Adds a new active key at once and retires the current one (kept published until its tokens
 * expire). `key.rotated` names `actor` when an administrator asked for it (the console's "Rotate now").
 */
export async function rotateSigningKey(
  now = new Date(),
  context: AuditContext = SERVER_CONTEXT,
  actor: KeyRotationActor = {},
): Promise<{ kid: string; retiredKid: string | null }> {
  const result = await replaceActiveKey(now, context, () => 'manual', actor);
  if (!result) throw new Error('the signing key was not rotated');
  return result;
}

export type SigningKeyStatus = 'active' | 'retiring' | 'retired';

/** A signing key as the console lists it. */
export interface SigningKeySummary {
  kid: string;
  alg: string;
  status: SigningKeyStatus;
  createdAt: Date;
  retiredAt: Date | null;
  /** Retired keys: until when the public key stays in the JWKS (tokens it signed still verify). */
  publishUntil: Date | null;
  /** The active key: when it is due to be replaced automatically (OPTARE_SIGNING_KEY_ROTATION). */
  rotatesAt: Date | null;
}

/**
 * Where a key stands at `now`: the one not retired signs (active); a retired one still published
 * lets tokens it signed verify until publishUntil (retiring); after that it is retired.
 */
export function signingKeyStatus(key: { retiredAt: Date | null; publishUntil: Date | null }, now = new Date()): SigningKeyStatus {
  if (key.retiredAt === null) return 'active';
  return key.publishUntil !== null && key.publishUntil > now ? 'retiring' : 'retired';
}

/** When a key created at `createdAt` is due for automatic rotation. */
export function rotationDueAt(createdAt: Date): Date {
  return new Date(createdAt.getTime() + getConfig().signingKeyRotationSeconds * 1000);
}

/** The newest `limit` keys with their status, newest first. */
export async function signingKeySummaries(now = new Date(), limit = 50): Promise<SigningKeySummary[]> {
  const rows = await listSigningKeys(limit);
  return rows.map((row) => {
    const status = signingKeyStatus(row, now);
    return {
      kid: row.kid,
      alg: row.alg,
      status,
      createdAt: row.createdAt,
      retiredAt: row.retiredAt,
      publishUntil: row.publishUntil,
      rotatesAt: status === 'active' ? rotationDueAt(row.createdAt) : null,
    };
  });
}

function isDueForRotation(createdAt: Date, now: Date): boolean {
  return now.getTime() - createdAt.getTime() >= getConfig().signingKeyRotationSeconds * 1000;
}

/** The time until which a key retired at `retiredAt` stays in the JWKS. */
export function publishUntilFor(retiredAt: Date): Date {
  return new Date(retiredAt.getTime() + (MAX_TOKEN_TTL_SECONDS + PUBLISH_MARGIN_SECONDS) * 1000);
}

type ActiveRow = Awaited<ReturnType<typeof findActiveSigningKey>>;

async function replaceActiveKey(
  now: Date,
  context: AuditContext,
  decide: (current: ActiveRow) => KeyChangeReason | null,
  actor: KeyRotationActor = {},
): Promise<{ kid: string; retiredKid: string | null } | null> {
  // RSA generation takes a while: done before taking the lock, and thrown away if another
  // instance got there first.
  const candidate = await generateSigningKey(now);
  const result = await withSigningKeyLock(async (tx) => {
    const current = await findActiveSigningKey(tx);
    const reason = decide(current);
    if (!reason) return null;
    if (current) await retireSigningKey(current.kid, now, publishUntilFor(now), tx);
    await insertSigningKey(candidate, tx);
    const retiredKid = current?.kid ?? null;
    await recordAuditEvent(
      { type: 'key.rotated', outcome: 'success', ...actor, subject: candidate.kid, details: { kid: candidate.kid, retiredKid, reason }, context },
      tx,
    );
    return { kid: candidate.kid, retiredKid };
  });
  if (result) forgetCachedSigningKeys();
  return result;
}

const generateRsaKeyPair = promisify(generateKeyPair);

async function generateSigningKey(createdAt: Date) {
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', { modulusLength: MODULUS_BITS, publicExponent: 0x10001 });
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (!n || !e) throw new Error('the generated RSA key has no modulus or exponent');
  const kid = rsaThumbprint(n, e);
  const publicJwk: PublicSigningJwk = { kty: 'RSA', kid, n, e, use: 'sig', alg: SIGNING_ALG };
  const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' });
  const { current, old } = getConfig().encryption;
  return {
    kid,
    alg: SIGNING_ALG,
    publicJwk: { ...publicJwk },
    privateKeyEncrypted: encrypt(pkcs8, { current, old }, sealingContext(kid)),
    createdAt,
  };
}

/** RFC 7638 §3: SHA-256 over the required members of an RSA JWK, in lexicographic order. */
export function rsaThumbprint(n: string, e: string): string {
  return createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64url');
}

/** The additional authenticated data binding a sealed private key to its row. */
export function sealingContext(kid: string): string {
  return `signing-key:${kid}`;
}

// ---------------------------------------------------------------------------------------------
// The in-memory caches

interface PublishedEntry {
  jwk: PublicSigningJwk;
  retiredAt: Date | null;
  publishUntil: Date | null;
  key?: KeyObject;
}

interface KeyCache {
  /** Bumped by every local change, so a load that started before it is not stored. */
  generation: number;
  active?: { key: ActiveSigningKey; loadedAt: number };
  activeLoading?: Promise<ActiveSigningKey>;
  published?: { entries: Map<string, PublishedEntry>; loadedAt: number };
  publishedLoading?: Promise<Map<string, PublishedEntry>>;
}

const CACHE_KEY = Symbol.for('optare.signing-keys');
type Holder = { [CACHE_KEY]?: KeyCache };

function cache(): KeyCache {
  const holder = globalThis as Holder;
  holder[CACHE_KEY] ??= { generation: 0 };
  return holder[CACHE_KEY];
}

/** Drops both caches (after a local rotation; tests use it to start clean). */
export function forgetCachedSigningKeys(): void {
  const state = cache();
  state.generation += 1;
  state.active = undefined;
  state.activeLoading = undefined;
  state.published = undefined;
  state.publishedLoading = undefined;
}

const monotonicMs = () => performance.now();

// ---------------------------------------------------------------------------------------------
// Signing

/** The key that signs tokens now, from memory; the database is read at most every 30 seconds. */
export async function activeSigningKey(): Promise<ActiveSigningKey> {
  const state = cache();
  if (state.active && monotonicMs() - state.active.loadedAt < CACHE_TTL_MS) return state.active.key;
  if (!state.activeLoading) {
    const loading = loadActiveKey(state.active?.key).finally(() => {
      if (state.activeLoading === loading) state.activeLoading = undefined;
    });
    state.activeLoading = loading;
  }
  return state.activeLoading;
}

async function loadActiveKey(previous: ActiveSigningKey | undefined): Promise<ActiveSigningKey> {
  const state = cache();
  let generation = state.generation;
  let row = await findActiveSigningKey();
  // No key yet (a process that skipped the bootstrap), or a long-running server whose key came
  // of age since: ensureSigningKey decides under the lock, once for all instances.
  if (!row || isDueForRotation(row.createdAt, new Date())) {
    await ensureSigningKey();
    generation = state.generation;
    row = await findActiveSigningKey();
    if (!row) throw new Error('no active signing key');
  }
  const key: ActiveSigningKey =
    previous?.kid === row.kid
      ? previous
      : {
          kid: row.kid,
          alg: SIGNING_ALG,
          privateKey: createPrivateKey(decrypt(row.privateKeyEncrypted, getConfig().encryption, sealingContext(row.kid)).toString('utf8')),
        };
  if (state.generation === generation) {
    state.active = { key, loadedAt: monotonicMs() };
    // A key another instance just made active: publish it here too before signing with it.
    if (state.published && !state.published.entries.has(key.kid)) state.published = undefined;
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// Publishing and verification

/** The JWK Set of the published keys at `now`: the active key and retired keys not yet past publishUntil. */
export async function publishedJwks(now = new Date()): Promise<{ keys: PublicSigningJwk[] }> {
  const entries = await publishedEntries(now);
  const keys = [...entries.values()].filter((entry) => isPublishedAt(entry, now)).map((entry) => entry.jwk);
  return { keys };
}

/** The public key for `kid`, if that key is published now: for verifying Optare's own tokens. */
export async function verificationKey(kid: string): Promise<KeyObject | null> {
  const now = new Date();
  let entries = await publishedEntries(now);
  let entry = entries.get(kid);
  const loadedAt = cache().published?.loadedAt ?? 0;
  if (!entry && monotonicMs() - loadedAt >= UNKNOWN_KID_REFRESH_MS) {
    // Possibly a key another instance has just created: look once more, at most once a second.
    entries = await publishedEntries(now, true);
    entry = entries.get(kid);
  }
  if (!entry || !isPublishedAt(entry, now)) return null;
  entry.key ??= createPublicKey({ key: { kty: 'RSA', n: entry.jwk.n, e: entry.jwk.e }, format: 'jwk' });
  return entry.key;
}

function isPublishedAt(entry: PublishedEntry, now: Date): boolean {
  return entry.retiredAt === null || (entry.publishUntil !== null && entry.publishUntil > now);
}

async function publishedEntries(now: Date, refresh = false): Promise<Map<string, PublishedEntry>> {
  const state = cache();
  if (!refresh && state.published && monotonicMs() - state.published.loadedAt < CACHE_TTL_MS) return state.published.entries;
  if (!state.publishedLoading) {
    const loading = loadPublished(now).finally(() => {
      if (state.publishedLoading === loading) state.publishedLoading = undefined;
    });
    state.publishedLoading = loading;
  }
  return state.publishedLoading;
}

async function loadPublished(now: Date): Promise<Map<string, PublishedEntry>> {
  const state = cache();
  let generation = state.generation;
  // Never load with a time ahead of the clock: the cached set also serves later, real-time calls.
  const at = new Date(Math.min(now.getTime(), Date.now()));
  let rows = await findPublishedSigningKeys(at);
  if (!rows.some((row) => row.retiredAt === null)) {
    await ensureSigningKey();
    generation = state.generation;
    rows = await findPublishedSigningKeys(at);
  }
  const previous = state.published?.entries;
  const entries = new Map<string, PublishedEntry>();
  for (const row of rows) {
    const jwk = toPublicJwk(row.kid, row.publicJwk);
    // Keep already imported public keys across refills.
    entries.set(row.kid, { jwk, retiredAt: row.retiredAt, publishUntil: row.publishUntil, key: previous?.get(row.kid)?.key });
  }
  if (state.generation === generation) state.published = { entries, loadedAt: monotonicMs() };
  return entries;
}

/** Only the public members, whatever the stored JSON holds. */
function toPublicJwk(kid: string, stored: unknown): PublicSigningJwk {
  const jwk = (stored ?? {}) as Record<string, unknown>;
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
    throw new Error(`signing key ${kid} has a malformed public JWK`);
  }
  return { kty: 'RSA', kid, n: jwk.n, e: jwk.e, use: 'sig', alg: SIGNING_ALG };
}
