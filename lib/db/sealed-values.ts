import 'server-only';
import { db } from './client';
import type { DbClient } from './users';

/**
 * The columns that hold values sealed with the encryption-at-rest helper (lib/crypto/encryption),
 * found and replaced for re-encryption under the current key. Queries only: the policy lives in
 * lib/admin/reencrypt-sealed-values.ts. Add a sealed column: one entry in each function below.
 */
export const SEALED_TABLES = ['signing_keys', 'totp_factors'] as const;
export type SealedTable = (typeof SEALED_TABLES)[number];

/** `id` is the row's key, as text (kid, user id): it is also what the sealed value's context names. */
export interface SealedRow {
  id: string;
  sealed: string;
}

// Sorts before every kid (base64url) and every UUID.
const FIRST = '';

/**
 * Up to `limit` rows of `table` whose value names a key other than `currentKid` (the second part
 * of `v1.<kid>.…`), after `afterId` in key order: keyset pagination, so a row that cannot be
 * re-encrypted is passed over rather than found again.
 */
export function findRowsSealedUnderOtherKeys(
  table: SealedTable,
  currentKid: string,
  afterId: string = FIRST,
  limit = 100,
  client: DbClient = db(),
): Promise<SealedRow[]> {
  switch (table) {
    case 'signing_keys':
      return client.$queryRaw<SealedRow[]>`
        SELECT kid AS id, private_key_encrypted AS sealed FROM signing_keys
         WHERE split_part(private_key_encrypted, '.', 2) <> ${currentKid} AND kid > ${afterId}
         ORDER BY kid LIMIT ${limit}`;
    case 'totp_factors':
      return client.$queryRaw<SealedRow[]>`
        SELECT user_id::text AS id, secret_encrypted AS sealed FROM totp_factors
         WHERE split_part(secret_encrypted, '.', 2) <> ${currentKid} AND user_id::text > ${afterId}
         ORDER BY user_id::text LIMIT ${limit}`;
  }
}

/**
 * Replaces the sealed value of row `id` with `to`, only if it still is `from` (compare-and-set):
 * a value written meanwhile, e.g. a TOTP enrollment restarted, is never overwritten. True when replaced.
 */
export async function replaceSealedValue(
  table: SealedTable,
  id: string,
  from: string,
  to: string,
  client: DbClient = db(),
): Promise<boolean> {
  switch (table) {
    case 'signing_keys':
      return (
        (await client.$executeRaw`
          UPDATE signing_keys SET private_key_encrypted = ${to} WHERE kid = ${id} AND private_key_encrypted = ${from}`) === 1
      );
    case 'totp_factors':
      return (
        (await client.$executeRaw`
          UPDATE totp_factors SET secret_encrypted = ${to} WHERE user_id = ${id}::uuid AND secret_encrypted = ${from}`) === 1
      );
  }
}
