import 'server-only';
import { db } from './client';
import { Prisma } from './generated/client';
import type { DbClient } from './users';
import type { Bytes } from '../crypto/hash';

/**
 * Grants and everything issued from them: authorization codes, refresh tokens, and the denylist
 * of revoked access-token jtis. Queries only; the policy lives in lib/oauth/grants. Bearer
 * secrets are looked up by their SHA-256 and never stored in clear.
 */

export interface NewGrant {
  clientId: string;
  userId: string;
  sessionId: string | null;
  scopes: string[];
  authTime: Date;
  amr: string[];
  acr: string | null;
  nonce: string | null;
  claims: unknown | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface NewAuthorizationCode {
  codeHash: Bytes;
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  expiresAt: Date;
}

export interface NewRefreshToken {
  id: string;
  tokenHash: Bytes;
  grantId: string;
  scopes: string[];
  createdAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

/** What a token is issued from: the grant, with the facts about its user that decide validity. */
const grantFields = {
  id: true,
  clientId: true,
  userId: true,
  sessionId: true,
  scopes: true,
  authTime: true,
  amr: true,
  acr: true,
  nonce: true,
  claims: true,
  expiresAt: true,
  revokedAt: true,
  user: { select: { disabledAt: true } },
} as const;

export type GrantRow = Prisma.GrantGetPayload<{ select: typeof grantFields }>;

/** Inserts a grant and its authorization code in one statement (one transaction). */
export async function insertGrantWithCode(grant: NewGrant, code: NewAuthorizationCode): Promise<string> {
  const created = await db().grant.create({
    data: {
      ...grant,
      claims: grant.claims === null ? Prisma.DbNull : (grant.claims as Prisma.InputJsonValue),
      codes: { create: code },
    },
    select: { id: true },
  });
  return created.id;
}

export function findAuthorizationCode(codeHash: Bytes) {
  return db().authorizationCode.findUnique({
    where: { codeHash },
    select: {
      grantId: true,
      redirectUri: true,
      codeChallenge: true,
      codeChallengeMethod: true,
      expiresAt: true,
      consumedAt: true,
      grant: { select: grantFields },
    },
  });
}

/**
 * Marks a code consumed if, and only if, nobody consumed it before: one conditional UPDATE whose
 * row count decides. Two concurrent exchanges of one code cannot both get `true`.
 */
export async function consumeAuthorizationCode(codeHash: Bytes, now: Date): Promise<boolean> {
  const count = await db().$executeRaw`
    UPDATE "authorization_codes" SET "consumed_at" = ${now}::timestamptz
    WHERE "code_hash" = ${codeHash}::bytea AND "consumed_at" IS NULL`;
  return count === 1;
}

export async function insertRefreshToken(token: NewRefreshToken): Promise<void> {
  await db().refreshToken.create({ data: token, select: { id: true } });
}

export function findRefreshToken(tokenHash: Bytes) {
  return db().refreshToken.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      scopes: true,
      createdAt: true,
      idleExpiresAt: true,
      absoluteExpiresAt: true,
      rotatedAt: true,
      revokedAt: true,
      grant: { select: grantFields },
    },
  });
}

/**
 * Rotation in one statement, so one transaction: marks the presented token rotated only if it is
 * neither rotated nor revoked yet, and inserts its successor only if that mark was made. Returns
 * false when another request rotated (or revoked) it first: the caller treats that as reuse.
 */
export async function rotateRefreshToken(presentedId: string, successor: NewRefreshToken, now: Date): Promise<boolean> {
  const count = await db().$executeRaw`
    WITH rotated AS (
      UPDATE "refresh_tokens" SET "rotated_at" = ${now}::timestamptz
      WHERE "id" = ${presentedId}::uuid AND "rotated_at" IS NULL AND "revoked_at" IS NULL
      RETURNING "grant_id"
    )
    INSERT INTO "refresh_tokens"
      ("id", "token_hash", "grant_id", "scopes", "created_at", "idle_expires_at", "absolute_expires_at")
    SELECT ${successor.id}::uuid, ${successor.tokenHash}::bytea, rotated."grant_id", ${successor.scopes}::text[],
           ${successor.createdAt}::timestamptz, ${successor.idleExpiresAt}::timestamptz,
           ${successor.absoluteExpiresAt}::timestamptz
    FROM rotated
    WHERE rotated."grant_id" = ${successor.grantId}::uuid`;
  return count === 1;
}

/**
 * Revokes a grant and every refresh token of it (its access tokens carry its id as `gid`, so
 * they stop being valid through grants.revoked_at). Returns false when it was already revoked
 * (the refresh tokens are revoked again all the same, to cover any inserted in a race).
 */
export async function revokeGrantRows(grantId: string, reason: string, now: Date, client: DbClient = db()): Promise<boolean> {
  const { count } = await client.grant.updateMany({
    where: { id: grantId, revokedAt: null },
    data: { revokedAt: now, revokedReason: reason },
  });
  await client.refreshToken.updateMany({ where: { grantId, revokedAt: null }, data: { revokedAt: now } });
  return count === 1;
}

/** Adds an access token's jti to the denylist until the token would have expired anyway. */
export async function denyAccessToken(jti: string, expiresAt: Date): Promise<void> {
  await db().$executeRaw`
    INSERT INTO "revoked_access_tokens" ("jti", "expires_at")
    VALUES (${jti}, ${expiresAt}::timestamptz)
    ON CONFLICT ("jti") DO NOTHING`;
}

/**
 * Whether an access token is no longer valid, in one query: its jti is on the denylist, its
 * client is disabled or gone, or it was issued from a grant (`gid`) that is revoked, gone, or
 * whose user is disabled.
 */
export async function isAccessTokenDenied(jti: string, clientId: string, grantId: string | null): Promise<boolean> {
  const rows = await db().$queryRaw<Array<{ denied: boolean }>>`
    SELECT EXISTS (SELECT 1 FROM "revoked_access_tokens" WHERE "jti" = ${jti})
        OR NOT EXISTS (SELECT 1 FROM "oauth_clients" WHERE "id" = ${clientId} AND "enabled")
        OR (${grantId}::uuid IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM "grants" g JOIN "users" u ON u."id" = g."user_id"
              WHERE g."id" = ${grantId}::uuid AND g."revoked_at" IS NULL AND u."disabled_at" IS NULL
           )) AS "denied"`;
  return rows[0]?.denied ?? true;
}

const claimsUserFields = { id: true, email: true, name: true, updatedAt: true, disabledAt: true, emailVerifiedAt: true } as const;

/** The user fields that feed standard claims. */
export function findUserForClaims(userId: string) {
  return db().user.findUnique({ where: { id: userId }, select: claimsUserFields });
}

/**
 * For userinfo, in one query: the user's claim fields and the `claims` request parameter of the
 * grant the access token came from (null when there is no grant or it is another user's).
 */
export async function findClaimsSource(userId: string, grantId: string | null) {
  if (grantId === null) return { user: await findUserForClaims(userId), grantClaims: null };
  const grant = await db().grant.findUnique({ where: { id: grantId }, select: { claims: true, user: { select: claimsUserFields } } });
  if (!grant || grant.user.id !== userId) return { user: null, grantClaims: null };
  return { user: grant.user, grantClaims: grant.claims };
}

export interface DeletedOAuthRows {
  codes: number;
  refreshTokens: number;
  grants: number;
  revokedAccessTokens: number;
}

/**
 * Periodic clean-up, idempotent. Removes codes that expired unused (a consumed code stays with
 * its grant, so a late replay is still recognised and revokes the grant), refresh tokens past
 * their absolute expiry, grants past theirs (with their codes and tokens, by cascade), and
 * denylisted jtis whose tokens have expired anyway.
 */
export async function deleteExpiredOAuthRows(now: Date): Promise<DeletedOAuthRows> {
  const client = db();
  const codes = await client.authorizationCode.deleteMany({ where: { expiresAt: { lte: now }, consumedAt: null } });
  const refreshTokens = await client.refreshToken.deleteMany({ where: { absoluteExpiresAt: { lte: now } } });
  const grants = await client.grant.deleteMany({ where: { expiresAt: { lte: now } } });
  const revokedAccessTokens = await client.revokedAccessToken.deleteMany({ where: { expiresAt: { lte: now } } });
  return {
    codes: codes.count,
    refreshTokens: refreshTokens.count,
    grants: grants.count,
    revokedAccessTokens: revokedAccessTokens.count,
  };
}

/**
 * Revokes every live grant of a user (of one client, when given) and their refresh tokens; the
 * access tokens issued from them stop being valid through their `gid`. Returns how many grants.
 */
export async function revokeUserGrantRows(
  userId: string,
  reason: string,
  now: Date,
  options: { clientId?: string; client?: DbClient } = {},
): Promise<number> {
  const client = options.client ?? db();
  const where = { userId, ...(options.clientId ? { clientId: options.clientId } : {}) };
  const { count } = await client.grant.updateMany({ where: { ...where, revokedAt: null }, data: { revokedAt: now, revokedReason: reason } });
  await client.refreshToken.updateMany({ where: { grant: where, revokedAt: null }, data: { revokedAt: now } });
  return count;
}
