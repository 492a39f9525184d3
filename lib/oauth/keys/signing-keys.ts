import 'server-only';
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { getConfig } from '../../config';
import { decrypt, encrypt } from '../../crypto/encryption';
import { recordAuditEvent } from '../../audit/record';
import type { AuditContext, AuditEventInput } from '../../audit/events';
import { listSigningAlgsOfEnabledClients } from '../../db/clients';
import {
  findActiveSigningKey,
  findActiveSigningKeyAges,
  findPublishedSigningKeys,
  insertSigningKey,
  listSigningKeys,
  retireSigningKey,
  withSigningKeyLock,
} from '../../db/signing-keys';
import { MAX_TOKEN_TTL_SECONDS } from '../tokens/lifetimes';
import { DEFAULT_SIGNING_ALG, SIGNING_ALGORITHMS, type SigningAlg } from './algorithms';
import { jwkThumbprint } from './thumbprint';

/**
 * Optare's token signing keys: one active key per algorithm (RS256, always; PS256, ES256 and
 * EdDSA once a client uses them), `kid` = RFC 7638 thumbprint, private key sealed at rest
 * (AES-256-GCM bound to `signing-key:<kid>`). The active key of an alg signs that alg's tokens; a
 * retired key stays in the JWKS until every token it signed has expired. Each alg rotates on its own.
 *
 * Signing must not cost a query: the active keys and the published set are cached in memory
 * (on globalThis, shared by the server bootstrap and Next.js's route bundles) for CACHE_TTL_MS,
 * so a rotation made by another instance or by the CLI is picked up within that time.
 */

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
  alg: SigningAlg;
  privateKey: KeyObject;
}

/** A public signing key as published in the JWKS: public members only. */
export type PublicSigningJwk =
  | { kty: 'RSA'; kid: string; use: 'sig'; alg: 'RS256' | 'PS256'; n: string; e: string }
  | { kty: 'EC'; kid: string; use: 'sig'; alg: 'ES256'; crv: 'P-256'; x: string; y: string }
  | { kty: 'OKP'; kid: string; use: 'sig'; alg: 'EdDSA'; crv: 'Ed25519'; x: string };

export type KeyChangeReason = 'initial' | 'scheduled' | 'manual';

const SERVER_CONTEXT: AuditContext = { ip: null, userAgent: 'optare-server', requestId: null };

// ---------------------------------------------------------------------------------------------
// Generation and rotation

/**
 * Makes sure a usable key exists for `alg`, or (without `alg`) for every algorithm in use: RS256,
 * the instance default (OPTARE_DEFAULT_SIGNING_ALG), those with an active key and those an enabled
 * client is configured for. Creates a missing key,
 * or rotates one older than OPTARE_SIGNING_KEY_ROTATION. Safe when several instances call it at once.
 */
export async function ensureSigningKey(now = new Date(), alg?: SigningAlg): Promise<void> {
  for (const each of alg ? [alg] : await algorithmsInUse()) {
    const active = await findActiveSigningKey(each);
    if (active && !isDueForRotation(active.createdAt, now)) continue;
    await replaceActiveKey(each, now, SERVER_CONTEXT, (current) =>
      !current ? 'initial' : isDueForRotation(current.createdAt, now) ? 'scheduled' : null,
    );
  }
}

/**
 * RS256 (which discovery always lists, OIDC Core §15.1), the instance default, every alg that has
 * an active key, and every alg an enabled client chose; in SIGNING_ALGORITHMS order.
 */
export async function algorithmsInUse(): Promise<SigningAlg[]> {
  const [active, configured] = await Promise.all([findActiveSigningKeyAges(), listSigningAlgsOfEnabledClients()]);
  const used = new Set<string>([DEFAULT_SIGNING_ALG, getConfig().defaultSigningAlg, ...active.map((row) => row.alg), ...configured]);
  return SIGNING_ALGORITHMS.filter((alg) => used.has(alg));
}

/** Who rotated a key by hand, for the audit event: an administrator or an admin API key (none: the CLI). */
export type KeyRotationActor = Pick<AuditEventInput, 'actorUserId' | 'actorApiKeyId'>;

/**
 * Adds a new active key for `alg` at once and retires its current one (kept published until its
 * tokens expire). `key.rotated` names `actor` when an administrator asked for it (the console's "Rotate now").
 */
export async function rotateSigningKey(
  now = new Date(),
  context: AuditContext = SERVER_CONTEXT,
  actor: KeyRotationActor = {},
  alg: SigningAlg = DEFAULT_SIGNING_ALG,
): Promise<KeyRotation> {
  const result = await replaceActiveKey(alg, now, context, () => 'manual', actor);
  if (!result) throw new Error('the signing key was not rotated');
  return result;
}

export interface KeyRotation {
  alg: SigningAlg;
  kid: string;
  retiredKid: string | null;
}

/** Rotates the key of `alg`, or (without `alg`) of every algorithm in use, RS256 first. */
export async function rotateSigningKeys(
  now = new Date(),
  context: AuditContext = SERVER_CONTEXT,
  actor: KeyRotationActor = {},
  alg?: SigningAlg,
): Promise<KeyRotation[]> {
  const rotations: KeyRotation[] = [];
  for (const each of alg ? [alg] : await algorithmsInUse()) rotations.push(await rotateSigningKey(now, context, actor, each));
  return rotations;
}

export type SigningKeyStatus = 'active' | 'retiring' | 'retired';

/** A signing key as the console lists it. */
export interface SigningKeySummary {
  kid: string;
  alg: string;
  /** The key's size or curve: "RSA 2048", "P-256", "Ed25519". */
  keyType: string;
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
      keyType: describeKeyType(row.publicJwk),
      status,
      createdAt: row.createdAt,
      retiredAt: row.retiredAt,
      publishUntil: row.publishUntil,
      rotatesAt: status === 'active' ? rotationDueAt(row.createdAt) : null,
    };
  });
}

/** "RSA 3072", "P-256", "Ed25519" from a stored public JWK. */
function describeKeyType(stored: unknown): string {
  const jwk = (stored ?? {}) as Record<string, unknown>;
  if (jwk.kty === 'RSA' && typeof jwk.n === 'string') return `RSA ${Buffer.from(jwk.n, 'base64url').length * 8}`;
  return typeof jwk.crv === 'string' ? jwk.crv : String(jwk.kty);
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
  alg: SigningAlg,
  now: Date,
  context: AuditContext,
  decide: (current: ActiveRow) => KeyChangeReason | null,
  actor: KeyRotationActor = {},
): Promise<KeyRotation | null> {
  // RSA generation takes a while: done before taking the lock, and thrown away if another
  // instance got there first.
  const candidate = await generateSigningKey(alg, now);
  const result = await withSigningKeyLock(async (tx) => {
    const current = await findActiveSigningKey(alg, tx);
    const reason = decide(current);
    if (!reason) return null;
    if (current) await retireSigningKey(current.kid, now, publishUntilFor(now), tx);
    await insertSigningKey(candidate, tx);
    const retiredKid = current?.kid ?? null;
    await recordAuditEvent(
      {
        type: 'key.rotated',
        outcome: 'success',
        ...actor,
        subject: candidate.kid,
        details: { kid: candidate.kid, alg, retiredKid, reason },
        context,
      },
      tx,
    );
    return { alg, kid: candidate.kid, retiredKid };
  });
  if (result) forgetCachedSigningKeys();
  return result;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** A new key pair for `alg`: RSA of OPTARE_SIGNING_KEY_RSA_BITS (RS256, PS256), P-256 (ES256) or Ed25519 (EdDSA). */
function generateKeyPairFor(alg: SigningAlg): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return generateKeyPairAsync('rsa', { modulusLength: getConfig().signingKeyRsaBits, publicExponent: 0x10001 });
    case 'ES256':
      return generateKeyPairAsync('ec', { namedCurve: 'P-256' });
    case 'EdDSA':
      return generateKeyPairAsync('ed25519', {});
  }
}

async function generateSigningKey(alg: SigningAlg, createdAt: Date) {
  const { publicKey, privateKey } = await generateKeyPairFor(alg);
  const exported = publicKey.export({ format: 'jwk' });
  const publicJwk = toPublicJwk('(new key)', alg, { ...exported, kid: '' });
  publicJwk.kid = jwkThumbprint(publicJwk);
  const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' });
  const { current, old } = getConfig().encryption;
  return {
    kid: publicJwk.kid,
    alg,
    publicJwk: { ...publicJwk },
    privateKeyEncrypted: encrypt(pkcs8, { current, old }, sealingContext(publicJwk.kid)),
    createdAt,
  };
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
  active: Map<SigningAlg, { key: ActiveSigningKey; loadedAt: number }>;
  activeLoading: Map<SigningAlg, Promise<ActiveSigningKey>>;
  published?: { entries: Map<string, PublishedEntry>; loadedAt: number };
  publishedLoading?: Promise<Map<string, PublishedEntry>>;
}

// v2: one active key per alg (a process that still holds the v1 shape never reads this one).
const CACHE_KEY = Symbol.for('optare.signing-keys.v2');
type Holder = { [CACHE_KEY]?: KeyCache };

function cache(): KeyCache {
  const holder = globalThis as Holder;
  holder[CACHE_KEY] ??= { generation: 0, active: new Map(), activeLoading: new Map() };
  return holder[CACHE_KEY];
}

/** Drops both caches (after a local rotation; tests use it to start clean). */
export function forgetCachedSigningKeys(): void {
  const state = cache();
  state.generation += 1;
  state.active.clear();
  state.activeLoading.clear();
  state.published = undefined;
  state.publishedLoading = undefined;
}

const monotonicMs = () => performance.now();

// ---------------------------------------------------------------------------------------------
// Signing

/**
 * The key that signs `alg` tokens now, from memory; the database is read at most every 30
 * seconds. The first call for an alg no key exists for yet creates one (under the lock).
 */
export async function activeSigningKey(alg: SigningAlg = DEFAULT_SIGNING_ALG): Promise<ActiveSigningKey> {
  const state = cache();
  const cached = state.active.get(alg);
  if (cached && monotonicMs() - cached.loadedAt < CACHE_TTL_MS) return cached.key;
  let loading = state.activeLoading.get(alg);
  if (!loading) {
    loading = loadActiveKey(alg, cached?.key).finally(() => {
      if (state.activeLoading.get(alg) === loading) state.activeLoading.delete(alg);
    });
    state.activeLoading.set(alg, loading);
  }
  return loading;
}

async function loadActiveKey(alg: SigningAlg, previous: ActiveSigningKey | undefined): Promise<ActiveSigningKey> {
  const state = cache();
  let generation = state.generation;
  let row = await findActiveSigningKey(alg);
  // No key yet (a process that skipped the bootstrap, or the first client of this alg), or a
  // long-running server whose key came of age since: ensureSigningKey decides under the lock,
  // once for all instances.
  if (!row || isDueForRotation(row.createdAt, new Date())) {
    await ensureSigningKey(new Date(), alg);
    generation = state.generation;
    row = await findActiveSigningKey(alg);
    if (!row) throw new Error(`no active ${alg} signing key`);
  }
  const key: ActiveSigningKey =
    previous?.kid === row.kid
      ? previous
      : {
          kid: row.kid,
          alg,
          privateKey: createPrivateKey(decrypt(row.privateKeyEncrypted, getConfig().encryption, sealingContext(row.kid)).toString('utf8')),
        };
  if (state.generation === generation) {
    state.active.set(alg, { key, loadedAt: monotonicMs() });
    // A key another instance just made active: publish it here too before signing with it.
    if (state.published && !state.published.entries.has(key.kid)) state.published = undefined;
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// Publishing and verification

/** The JWK Set of the published keys at `now`: the active keys and retired keys not yet past publishUntil. */
export async function publishedJwks(now = new Date()): Promise<{ keys: PublicSigningJwk[] }> {
  const entries = await publishedEntries(now);
  const keys = [...entries.values()].filter((entry) => isPublishedAt(entry, now)).map((entry) => entry.jwk);
  return { keys };
}

/**
 * The public key for `kid` and the one alg it signs with, if that key is published now: for
 * verifying Optare's own tokens (a token must carry exactly this alg).
 */
export async function verificationKey(kid: string): Promise<{ key: KeyObject; alg: SigningAlg } | null> {
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
  const { kid: _kid, use: _use, alg, ...members } = entry.jwk;
  entry.key ??= createPublicKey({ key: members, format: 'jwk' });
  return { key: entry.key, alg };
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
  if (!rows.some((row) => row.retiredAt === null && row.alg === DEFAULT_SIGNING_ALG)) {
    await ensureSigningKey();
    generation = state.generation;
    rows = await findPublishedSigningKeys(at);
  }
  const previous = state.published?.entries;
  const entries = new Map<string, PublishedEntry>();
  for (const row of rows) {
    const jwk = toPublicJwk(row.kid, row.alg, row.publicJwk);
    // Keep already imported public keys across refills.
    entries.set(row.kid, { jwk, retiredAt: row.retiredAt, publishUntil: row.publishUntil, key: previous?.get(row.kid)?.key });
  }
  if (state.generation === generation) state.published = { entries, loadedAt: monotonicMs() };
  return entries;
}

/** Only the public members of the key type `alg` calls for, whatever the stored JSON holds. */
function toPublicJwk(kid: string, alg: string, stored: unknown): PublicSigningJwk {
  const jwk = (stored ?? {}) as Record<string, unknown>;
  const text = (value: unknown): value is string => typeof value === 'string' && value !== '';
  if ((alg === 'RS256' || alg === 'PS256') && jwk.kty === 'RSA' && text(jwk.n) && text(jwk.e)) {
    return { kty: 'RSA', kid, use: 'sig', alg, n: jwk.n, e: jwk.e };
  }
  if (alg === 'ES256' && jwk.kty === 'EC' && jwk.crv === 'P-256' && text(jwk.x) && text(jwk.y)) {
    return { kty: 'EC', kid, use: 'sig', alg, crv: 'P-256', x: jwk.x, y: jwk.y };
  }
  if (alg === 'EdDSA' && jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && text(jwk.x)) {
    return { kty: 'OKP', kid, use: 'sig', alg, crv: 'Ed25519', x: jwk.x };
  }
  throw new Error(`signing key ${kid} has a malformed public JWK or an unknown alg`);
}
