import 'server-only';
import type { AuditContext } from '../audit/events';
import { recordAuditEvent } from '../audit/record';
import { totpSealingContext } from '../auth/totp';
import { getConfig } from '../config';
import { decrypt, DecryptionError, encrypt, keyId, type Keyring } from '../crypto/encryption';
import { findRowsSealedUnderOtherKeys, replaceSealedValue, SEALED_TABLES, type SealedTable } from '../db/sealed-values';
import { sealingContext } from '../oauth/keys/signing-keys';

/**
 * Re-seals every value at rest that an old key (OPTARE_ENCRYPTION_KEYS_OLD) sealed under the
 * current key (ASVS 11.2.2), so the old key can then be removed from the configuration.
 *
 * Batches of rows are read and each row is replaced on its own, compare-and-set on the value read:
 * a row changed meanwhile (a TOTP enrollment restarted, a key written by a running server) keeps
 * the newer value, which a server already sealed under its current key. A value no configured key
 * opens is counted as unreadable and left as it is. Recorded once as `encryption.reencrypted`
 * with the counts (never a value).
 */

/** The additional authenticated data each table binds its sealed values to (as when they were sealed). */
const CONTEXT_OF: Record<SealedTable, (id: string) => string> = {
  signing_keys: sealingContext,
  totp_factors: totpSealingContext,
};

/** How the audit event's detail keys name each table. */
const DETAIL_PREFIX: Record<SealedTable, string> = { signing_keys: 'signingKeys', totp_factors: 'totpFactors' };

export interface TableReencryption {
  /** Values found sealed under another key than the current one. */
  found: number;
  reencrypted: number;
  /** Changed by someone else between the read and the write: left to the newer value. */
  changedMeanwhile: number;
  /** No configured key opens them (a key missing from OPTARE_ENCRYPTION_KEYS_OLD, or tampered with). */
  unreadable: number;
}

export interface Reencryption {
  /** The id of the current key (not secret), under which values are now sealed. */
  keyId: string;
  tables: Record<SealedTable, TableReencryption>;
}

export const DEFAULT_REENCRYPTION_BATCH_SIZE = 100;

export async function reencryptSealedValues(
  context: AuditContext,
  options: { batchSize?: number } = {},
): Promise<Reencryption> {
  const { current, old } = getConfig().encryption;
  const keyring: Keyring = { current, old };
  const batchSize = options.batchSize ?? DEFAULT_REENCRYPTION_BATCH_SIZE;
  const result: Reencryption = { keyId: keyId(current), tables: {} as Record<SealedTable, TableReencryption> };
  for (const table of SEALED_TABLES) result.tables[table] = await reencryptTable(table, keyring, batchSize);

  const counts = Object.values(result.tables);
  const details: Record<string, string | number> = { keyId: result.keyId };
  for (const table of SEALED_TABLES) {
    for (const [name, count] of Object.entries(result.tables[table])) {
      details[`${DETAIL_PREFIX[table]}${name[0]!.toUpperCase()}${name.slice(1)}`] = count;
    }
  }
  await recordAuditEvent({
    type: 'encryption.reencrypted',
    outcome: counts.some((count) => count.unreadable > 0) ? 'failure' : 'success',
    subject: result.keyId,
    details,
    context,
  });
  return result;
}

async function reencryptTable(table: SealedTable, keyring: Keyring, batchSize: number): Promise<TableReencryption> {
  const counts: TableReencryption = { found: 0, reencrypted: 0, changedMeanwhile: 0, unreadable: 0 };
  const currentKid = keyId(keyring.current);
  let after: string | undefined;
  for (;;) {
    const rows = await findRowsSealedUnderOtherKeys(table, currentKid, after, batchSize);
    for (const row of rows) {
      counts.found += 1;
      const resealed = reseal(row.sealed, keyring, CONTEXT_OF[table](row.id));
      if (resealed === null) counts.unreadable += 1;
      else if (await replaceSealedValue(table, row.id, row.sealed, resealed)) counts.reencrypted += 1;
      else counts.changedMeanwhile += 1;
    }
    if (rows.length < batchSize) return counts;
    after = rows.at(-1)!.id;
  }
}

/** The value sealed again under the current key, or null when no configured key opens it. */
function reseal(sealed: string, keyring: Keyring, context: string): string | null {
  let plaintext: Buffer;
  try {
    plaintext = decrypt(sealed, keyring, context);
  } catch (error) {
    if (error instanceof DecryptionError) return null;
    throw error;
  }
  try {
    return encrypt(plaintext, keyring, context);
  } finally {
    plaintext.fill(0);
  }
}
