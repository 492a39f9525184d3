import 'server-only';
import { randomUUID } from 'node:crypto';
import { db, queryFirstRow } from './client';
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
  /** RFC 8707 resources of the authorization request. */
  resources: string[];
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

/** A new refresh token: its id and the SHA-256 of its value; the statement that stores it sets the rest. */
export interface NewRefreshToken {
  id: string;
  tokenHash: Bytes;
}

/** What a token is issued from: the grant, with the facts about its user that decide validity. */
export interface GrantRow {
  id: string;
  clientId: string;
  userId: string;
  sessionId: string | null;
  scopes: string[];
  authTime: Date;
  amr: string[];
  acr: string | null;
  nonce: string | null;
  claims: unknown;
  resources: string[];
  expiresAt: Date;
  revokedAt: Date | null;
  user: { disabledAt: Date | null };
}

/*
 * The protocol endpoints' look-ups go to the driver in SQL rather than through Prisma: Prisma
 * sends one statement per relation (a code, its grant, the grant's user: three round trips) and
 * its result mapping costs about as much again per statement (docs/decisions.md, "The token,
 * userinfo and introspection paths in fewer statements"). On PostgreSQL they are prepared once
 * per connection under their name (queryRows).
 */
const GRANT_COLUMNS = `g."id" AS "g_id", g."client_id", g."user_id", g."session_id", g."scopes" AS "g_scopes",
  g."auth_time", g."amr", g."acr", g."nonce", g."claims",
  coalesce(g."resources", '{}') AS "g_resources", g."expires_at" AS "g_expires_at",
  g."revoked_at" AS "g_revoked_at", u."disabled_at" AS "user_disabled_at"`;

/** Joins the grant (`g`) and its user (`u`) to a row of `table` that has a grant_id. */
const withGrantAndUser = (table: string) => `JOIN "grants" g ON g."id" = ${table}."grant_id" JOIN "users" u ON u."id" = g."user_id"`;

interface GrantSqlRow {
  g_id: string;
  client_id: string;
  user_id: string;
  session_id: string | null;
  g_scopes: string[];
  auth_time: Date;
  amr: string[];
  acr: string | null;
  nonce: string | null;
  claims: unknown;
  g_resources: string[];
  g_expires_at: Date;
  g_revoked_at: Date | null;
  user_disabled_at: Date | null;
}

function grantOf(row: GrantSqlRow): GrantRow {
  return {
    id: row.g_id,
    clientId: row.client_id,
    userId: row.user_id,
    sessionId: row.session_id,
    scopes: row.g_scopes,
    authTime: row.auth_time,
    amr: row.amr,
    acr: row.acr,
    nonce: row.nonce,
    claims: row.claims,
    resources: row.g_resources,
    expiresAt: row.g_expires_at,
    revokedAt: row.g_revoked_at,
    user: { disabledAt: row.user_disabled_at },
  };
}

/** Inserts a grant and its authorization code in one statement (so both or neither). */
export async function insertGrantWithCode(grant: NewGrant, code: NewAuthorizationCode): Promise<string> {
  const id = randomUUID();
  await queryFirstRow(
    'optare.insert_grant_with_code',
    `WITH g AS (
       INSERT INTO "grants" ("id", "client_id", "user_id", "session_id", "scopes", "auth_time", "amr", "acr", "nonce",
         "claims", "resources", "created_at", "expires_at")
       VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5::text[], $6, $7::text[], $8, $9, $10::jsonb, $11::text[], $12, $13)
       RETURNING "id"
     )
     INSERT INTO "authorization_codes" ("code_hash", "grant_id", "redirect_uri", "code_challenge", "code_challenge_method", "expires_at")
     SELECT $14, g."id", $15, $16, $17, $18 FROM g`,
    [
      id, grant.clientId, grant.userId, grant.sessionId, grant.scopes, grant.authTime, grant.amr, grant.acr, grant.nonce,
      grant.claims === null ? null : JSON.stringify(grant.claims), grant.resources, grant.createdAt, grant.expiresAt,
      code.codeHash, code.redirectUri, code.codeChallenge, code.codeChallengeMethod, code.expiresAt,
    ],
  );
  return id;
}

interface AuthorizationCodeSqlRow extends GrantSqlRow {
  redirect_uri: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  expires_at: Date;
  consumed_at: Date | null;
}

/** An authorization code with its grant and the grant's user, in one statement. */
export async function findAuthorizationCode(codeHash: Bytes) {
  const row = await queryFirstRow<AuthorizationCodeSqlRow>(
    'optare.find_authorization_code',
    `SELECT c."redirect_uri", c."code_challenge", c."code_challenge_method", c."expires_at", c."consumed_at", ${GRANT_COLUMNS}
      FROM "authorization_codes" c ${withGrantAndUser('c')}
      WHERE c."code_hash" = $1::bytea`,
    [Buffer.from(codeHash)],
  );
  if (!row) return null;
  return {
    grantId: row.g_id,
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    codeChallengeMethod: row.code_challenge_method,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
    grant: grantOf(row),
  };
}

interface RefreshTokenSqlRow extends GrantSqlRow {
  id: string;
  scopes: string[];
  created_at: Date;
  idle_expires_at: Date;
  absolute_expires_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

/** A refresh token with its grant and the grant's user, in one statement. */
export async function findRefreshToken(tokenHash: Bytes) {
  const row = await queryFirstRow<RefreshTokenSqlRow>(
    'optare.find_refresh_token',
    `SELECT rt."id", rt."scopes", rt."created_at", rt."idle_expires_at", rt."absolute_expires_at", rt."rotated_at", rt."revoked_at",
        ${GRANT_COLUMNS}
      FROM "refresh_tokens" rt ${withGrantAndUser('rt')}
      WHERE rt."token_hash" = $1::bytea`,
    [Buffer.from(tokenHash)],
  );
  return row && refreshTokenOf(row);
}

function refreshTokenOf(row: RefreshTokenSqlRow) {
  return {
    id: row.id,
    scopes: row.scopes,
    createdAt: row.created_at,
    idleExpiresAt: row.idle_expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    rotatedAt: row.rotated_at,
    revokedAt: row.revoked_at,
    grant: grantOf(row),
  };
}

/**
 * The one-statement paths' check of the grant behind a code or refresh token (the row of `table`),
 * as a scalar subquery, so the plan is always driven by the presented hash: issued to the client
 * ($3), not revoked or expired at $1, its user enabled, its resources (if any) still sharing one
 * with the client's ($4), and the requested resources ($8) both the grant's and the client's.
 * A join in the UPDATE instead let PostgreSQL's generic plan start from the client's grants.
 */
const issuableGrant = (table: string) => `(SELECT g."client_id" = $3 AND g."revoked_at" IS NULL AND g."expires_at" > $1::timestamptz
      AND u."disabled_at" IS NULL
      AND (cardinality(coalesce(g."resources", '{}')) = 0 OR g."resources" && $4::text[])
      AND $8::text[] <@ coalesce(g."resources", '{}') AND $8::text[] <@ $4::text[]
    FROM "grants" g JOIN "users" u ON u."id" = g."user_id" WHERE g."id" = ${table}."grant_id")`;

/** What the presented code or refresh token must be issued under; checked by issuableGrant. */
export interface IssuanceConditions {
  clientId: string;
  /** The client's registered resources: a grant with resources must still share one of them. */
  clientResources: string[];
  /** RFC 8707 resources the request names: each must be the grant's and still the client's. */
  requestedResources: string[];
  /** now plus the client's idle lifetime; a new refresh token's idle expiry is this or its absolute expiry, whichever comes first. */
  idleExpiresAt: Date;
}

const issuanceValues = (now: Date, hash: Bytes, conditions: IssuanceConditions, successor: NewRefreshToken | null) => [
  now,
  Buffer.from(hash),
  conditions.clientId,
  conditions.clientResources,
  successor?.id ?? null,
  successor ? Buffer.from(successor.tokenHash) : null,
  conditions.idleExpiresAt,
  conditions.requestedResources,
];

/** What a refresh must present beyond the grant's conditions: the scopes it narrows to (none: all). */
export interface RenewalConditions extends IssuanceConditions {
  requestedScopes: string[];
}

/**
 * Refresh rotation in one statement, so one transaction: rotates the token with this hash and
 * inserts its successor only if every check the refresh grant makes would pass (the token neither
 * rotated, revoked nor expired, the requested scopes within its own, and issuableGrant), and
 * returns the rotated token with its grant. Returns null when any check fails or another request
 * rotated it first, having written nothing: the caller then looks the token up to say why, so
 * the conditions here must be at least as strict as those checks.
 */
export async function rotateIfRenewable(tokenHash: Bytes, successor: NewRefreshToken, conditions: RenewalConditions, now: Date) {
  const row = await queryFirstRow<RefreshTokenSqlRow>(
    'optare.rotate_renewable_refresh_token',
    `WITH rotated AS (
        UPDATE "refresh_tokens" rt SET "rotated_at" = $1::timestamptz
        WHERE rt."token_hash" = $2::bytea AND rt."rotated_at" IS NULL AND rt."revoked_at" IS NULL
          AND rt."idle_expires_at" > $1::timestamptz AND rt."absolute_expires_at" > $1::timestamptz
          AND $9::text[] <@ rt."scopes" AND ${issuableGrant('rt')}
        RETURNING rt."id", rt."grant_id", rt."scopes", rt."created_at", rt."idle_expires_at", rt."absolute_expires_at", rt."rotated_at", rt."revoked_at"
      ), issued AS (
        INSERT INTO "refresh_tokens" ("id", "token_hash", "grant_id", "scopes", "created_at", "idle_expires_at", "absolute_expires_at")
        SELECT $5::uuid, $6::bytea, rotated."grant_id", rotated."scopes", $1::timestamptz,
          least($7::timestamptz, rotated."absolute_expires_at"), rotated."absolute_expires_at"
        FROM rotated
        RETURNING "id"
      )
      SELECT rotated.*, ${GRANT_COLUMNS}
      FROM rotated ${withGrantAndUser('rotated')}
      WHERE EXISTS (SELECT 1 FROM issued)`,
    [...issuanceValues(now, tokenHash, conditions, successor), conditions.requestedScopes],
  );
  return row && refreshTokenOf(row);
}

/** What a code exchange must present beyond the grant's conditions, and its refresh token's bounds. */
export interface ExchangeConditions extends IssuanceConditions {
  redirectUri: string;
  /** The S256 challenge of the presented code_verifier, or null when none was presented. */
  codeChallenge: string | null;
  /** now plus the client's absolute refresh-token lifetime. */
  absoluteExpiresAt: Date;
  /** How long before the grant's own expiry a refresh token must end (one access-token lifetime). */
  grantMarginSeconds: number;
}

/**
 * Code exchange in one statement, so one transaction: consumes the code with this hash only if
 * every check the authorization_code grant makes would pass (not consumed or expired, the same
 * redirect URI, the challenge its verifier answers or none, and issuableGrant), and inserts the
 * refresh token `refreshToken` names when the grant has offline_access: the client's absolute
 * lifetime, within the grant's life minus one access-token lifetime (so every access token issued
 * with it expires before the grant row may be deleted), and its idle lifetime within that.
 * Returns the grant and whether a refresh token was stored, or null when any check fails or
 * another request consumed the code first, having written nothing: the caller then looks the code
 * up to say why. The conditional UPDATE decides: two concurrent exchanges cannot both win.
 */
export async function consumeIfExchangeable(codeHash: Bytes, refreshToken: NewRefreshToken | null, conditions: ExchangeConditions, now: Date) {
  const row = await queryFirstRow<GrantSqlRow & { refresh_token_issued: boolean }>(
    'optare.consume_exchangeable_code',
    `WITH consumed AS (
        UPDATE "authorization_codes" c SET "consumed_at" = $1::timestamptz
        WHERE c."code_hash" = $2::bytea AND c."consumed_at" IS NULL AND c."expires_at" > $1::timestamptz
          AND c."redirect_uri" = $9 AND c."code_challenge" IS NOT DISTINCT FROM $10::text
          AND ($10::text IS NULL OR c."code_challenge_method" = 'S256')
          AND ${issuableGrant('c')}
        RETURNING c."grant_id"
      ), bounded AS (
        SELECT g."id", g."scopes", least($11::timestamptz, g."expires_at" - make_interval(secs => $12)) AS "absolute_expires_at"
        FROM consumed JOIN "grants" g ON g."id" = consumed."grant_id"
      ), issued AS (
        INSERT INTO "refresh_tokens" ("id", "token_hash", "grant_id", "scopes", "created_at", "idle_expires_at", "absolute_expires_at")
        SELECT $5::uuid, $6::bytea, bounded."id", bounded."scopes", $1::timestamptz,
          least($7::timestamptz, bounded."absolute_expires_at"), bounded."absolute_expires_at"
        FROM bounded
        WHERE $5::uuid IS NOT NULL AND 'offline_access' = ANY(bounded."scopes")
        RETURNING "id"
      )
      SELECT ${GRANT_COLUMNS}, EXISTS (SELECT 1 FROM issued) AS "refresh_token_issued"
      FROM consumed ${withGrantAndUser('consumed')}`,
    [
      ...issuanceValues(now, codeHash, conditions, refreshToken),
      conditions.redirectUri,
      conditions.codeChallenge,
      conditions.absoluteExpiresAt,
      conditions.grantMarginSeconds,
    ],
  );
  return row && { grant: grantOf(row), refreshTokenIssued: row.refresh_token_issued };
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
 * The condition under which an access token is no longer valid: its jti ($1) is on the denylist,
 * its client ($2) is disabled or gone, or it was issued from a grant ($3, the `gid`) that is
 * revoked, gone, or whose user is disabled.
 */
const ACCESS_TOKEN_DENIED = `(
  EXISTS (SELECT 1 FROM "revoked_access_tokens" WHERE "jti" = $1::text)
  OR NOT EXISTS (SELECT 1 FROM "oauth_clients" WHERE "id" = $2::text AND "enabled")
  OR ($3::uuid IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM "grants" dg JOIN "users" du ON du."id" = dg."user_id"
        WHERE dg."id" = $3::uuid AND dg."revoked_at" IS NULL AND du."disabled_at" IS NULL)))`;

/** Whether an access token is no longer valid (ACCESS_TOKEN_DENIED), in one statement. */
export async function isAccessTokenDenied(jti: string, clientId: string, grantId: string | null): Promise<boolean> {
  const row = await queryFirstRow<{ denied: boolean }>('optare.access_token_denied', `SELECT ${ACCESS_TOKEN_DENIED} AS "denied"`, [jti, clientId, grantId]);
  return row?.denied ?? true;
}

const claimsUserFields = { id: true, email: true, name: true, updatedAt: true, disabledAt: true, emailVerifiedAt: true } as const;

/** The user fields that feed standard claims. */
export function findUserForClaims(userId: string) {
  return db().user.findUnique({ where: { id: userId }, select: claimsUserFields });
}

export interface ClaimsUserRow {
  id: string;
  email: string;
  name: string;
  updatedAt: Date;
  disabledAt: Date | null;
  emailVerifiedAt: Date | null;
}

interface UserinfoSqlRow {
  denied: boolean;
  grant_found: boolean;
  id: string | null;
  email: string;
  name: string;
  updated_at: Date;
  disabled_at: Date | null;
  email_verified_at: Date | null;
  claims: unknown;
}

/**
 * For userinfo, in one statement: whether the access token is denied (ACCESS_TOKEN_DENIED), the
 * claim fields of its user (`userId`, null when the subject is no user id), and the `claims`
 * request parameter of its grant. The user is null when the token names a grant that is gone or
 * is another user's.
 */
export async function findUserinfoSource(
  token: { jti: string; clientId: string; grantId: string | null },
  userId: string | null,
): Promise<{ denied: boolean; user: ClaimsUserRow | null; grantClaims: unknown }> {
  const row = (await queryFirstRow<UserinfoSqlRow>(
    'optare.userinfo_source',
    `SELECT ${ACCESS_TOKEN_DENIED} AS "denied", g."id" IS NOT NULL AS "grant_found",
        u."id", u."email", u."name", u."updated_at", u."disabled_at", u."email_verified_at", g."claims"
      FROM (VALUES (1)) AS one
      LEFT JOIN "users" u ON u."id" = $4::uuid
      LEFT JOIN "grants" g ON g."id" = $3::uuid AND g."user_id" = u."id"`,
    [token.jti, token.clientId, token.grantId, userId],
  ))!;
  const user =
    row.id === null || (token.grantId !== null && !row.grant_found)
      ? null
      : { id: row.id, email: row.email, name: row.name, updatedAt: row.updated_at, disabledAt: row.disabled_at, emailVerifiedAt: row.email_verified_at };
  return { denied: row.denied, user, grantClaims: token.grantId === null ? null : row.claims };
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

/**
 * Revokes the user's live grants of one client whose scopes are not all within `allowed`, and
 * their refresh tokens, in one statement (the access tokens stop through their `gid`). Grants
 * that stay within `allowed` are left alone. Returns how many grants.
 */
export async function revokeClientGrantRowsBeyondScopes(
  userId: string,
  clientId: string,
  allowed: string[],
  reason: string,
  now: Date,
  client: DbClient = db(),
): Promise<number> {
  const [row] = await client.$queryRaw<{ count: number }[]>`
    WITH revoked AS (
      UPDATE "grants" SET "revoked_at" = ${now}::timestamptz, "revoked_reason" = ${reason}
      WHERE "user_id" = ${userId}::uuid AND "client_id" = ${clientId} AND "revoked_at" IS NULL
        AND NOT ("scopes" <@ ${allowed}::text[])
      RETURNING "id"
    ), tokens AS (
      UPDATE "refresh_tokens" SET "revoked_at" = ${now}::timestamptz
      WHERE "grant_id" IN (SELECT "id" FROM revoked) AND "revoked_at" IS NULL
      RETURNING "id"
    )
    SELECT (SELECT count(*) FROM revoked)::int AS "count", (SELECT count(*) FROM tokens)::int AS "tokens"`;
  return row?.count ?? 0;
}
