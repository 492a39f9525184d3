import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reencryptSealedValues } from '../../lib/admin/reencrypt-sealed-values';
import { createUser } from '../../lib/auth/accounts';
import { startTotpEnrollment, totpSealingContext } from '../../lib/auth/totp';
import { decrypt, encrypt, keyId } from '../../lib/crypto/encryption';
import { replaceSealedValue } from '../../lib/db/sealed-values';
import { forgetCachedSigningKeys, rotateSigningKey, sealingContext } from '../../lib/oauth/keys/signing-keys';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';

/**
 * ASVS 11.2.2: after OPTARE_ENCRYPTION_KEY changes (the old key moved to OPTARE_ENCRYPTION_KEYS_OLD),
 * `keys reencrypt` re-seals every value at rest under the new key, so the old key can be retired.
 */

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const useKeys = (current: Buffer, old: Buffer[] = []) =>
  useTestConfig({
    OPTARE_ENCRYPTION_KEY: current.toString('base64'),
    ...(old.length ? { OPTARE_ENCRYPTION_KEYS_OLD: old.map((key) => key.toString('base64')).join(',') } : {}),
  });

let database: TestDatabase;
beforeAll(async () => {
  useKeys(KEY_A);
  database = await openTestDatabase();
});
afterAll(() => database.close());

interface SealedRow {
  id: string;
  sealed: string;
  context: string;
}
async function sealedRows(): Promise<SealedRow[]> {
  const keys = await database.sql<{ kid: string; private_key_encrypted: string }>('SELECT kid, private_key_encrypted FROM signing_keys ORDER BY kid');
  const factors = await database.sql<{ user_id: string; secret_encrypted: string }>('SELECT user_id, secret_encrypted FROM totp_factors ORDER BY user_id');
  return [
    ...keys.map((row) => ({ id: row.kid, sealed: row.private_key_encrypted, context: sealingContext(row.kid) })),
    ...factors.map((row) => ({ id: row.user_id, sealed: row.secret_encrypted, context: totpSealingContext(row.user_id) })),
  ];
}
const kidOf = (sealed: string) => sealed.split('.')[1];

async function enrolledUser(): Promise<string> {
  const created = await createUser({ email: uniqueEmail('rekey'), password: GOOD_PASSWORD, name: 'Rhea Key' }, testContext(), 'sign_up');
  if (!created.ok) throw new Error('sign-up failed');
  const started = await startTotpEnrollment(created.user);
  if (!started.ok) throw new Error('enrollment failed');
  return created.user.id;
}

describe('keys reencrypt (ASVS 11.2.2)', () => {
  it('re-seals every signing key and TOTP secret sealed under the old key, in batches, keeping each plaintext; a second run changes nothing', async () => {
    useKeys(KEY_A);
    await rotateSigningKey(new Date(), testContext(), {}, 'RS256');
    await rotateSigningKey(new Date(), testContext(), {}, 'ES256');
    await enrolledUser();
    await enrolledUser();
    await enrolledUser();
    forgetCachedSigningKeys();
    const before = await sealedRows();
    expect(before).toHaveLength(5);
    expect(new Set(before.map((row) => kidOf(row.sealed)))).toEqual(new Set([keyId(KEY_A)]));
    const plaintexts = before.map((row) => decrypt(row.sealed, { current: KEY_A, old: [] }, row.context).toString('utf8'));

    useKeys(KEY_B, [KEY_A]);
    const first = await reencryptSealedValues(testContext(), { batchSize: 2 });
    expect(first).toEqual({
      keyId: keyId(KEY_B),
      tables: {
        signing_keys: { found: 2, reencrypted: 2, changedMeanwhile: 0, unreadable: 0 },
        totp_factors: { found: 3, reencrypted: 3, changedMeanwhile: 0, unreadable: 0 },
      },
    });

    const after = await sealedRows();
    expect(after.map((row) => row.id)).toEqual(before.map((row) => row.id));
    for (const [index, row] of after.entries()) {
      expect(kidOf(row.sealed)).toBe(keyId(KEY_B));
      // Opens with the new key alone: the old key is no longer needed.
      expect(decrypt(row.sealed, { current: KEY_B, old: [] }, row.context).toString('utf8')).toBe(plaintexts[index]);
    }

    const second = await reencryptSealedValues(testContext(), { batchSize: 2 });
    expect(Object.values(second.tables)).toEqual([
      { found: 0, reencrypted: 0, changedMeanwhile: 0, unreadable: 0 },
      { found: 0, reencrypted: 0, changedMeanwhile: 0, unreadable: 0 },
    ]);
    expect((await sealedRows()).map((row) => row.sealed)).toEqual(after.map((row) => row.sealed));

    const events = await database.sql("SELECT outcome, subject, details FROM audit_events WHERE type = 'encryption.reencrypted' ORDER BY seq");
    expect(events).toEqual([
      {
        outcome: 'success',
        subject: keyId(KEY_B),
        details: {
          keyId: keyId(KEY_B),
          signingKeysFound: 2,
          signingKeysReencrypted: 2,
          signingKeysChangedMeanwhile: 0,
          signingKeysUnreadable: 0,
          totpFactorsFound: 3,
          totpFactorsReencrypted: 3,
          totpFactorsChangedMeanwhile: 0,
          totpFactorsUnreadable: 0,
        },
      },
      expect.objectContaining({ outcome: 'success', subject: keyId(KEY_B) }),
    ]);
    // Counts only: no sealed value, let alone a plaintext, is recorded.
    const recorded = JSON.stringify(events);
    for (const row of [...before, ...after]) expect(recorded).not.toContain(row.sealed.split('.')[3]);
  });

  it('never overwrites a value written meanwhile (lost-update race): the replacement is compare-and-set on the value read', async () => {
    useKeys(KEY_B, [KEY_A]);
    const userId = await enrolledUser();
    const context = totpSealingContext(userId);
    const [row] = await database.sql<{ secret_encrypted: string }>('SELECT secret_encrypted FROM totp_factors WHERE user_id = $1', [userId]);
    const written = row!.secret_encrypted;
    const staleRead = encrypt('an older secret', { current: KEY_A, old: [] }, context);
    const resealedStale = encrypt('an older secret', { current: KEY_B, old: [] }, context);

    expect(await replaceSealedValue('totp_factors', userId, staleRead, resealedStale)).toBe(false);
    const [after] = await database.sql('SELECT secret_encrypted FROM totp_factors WHERE user_id = $1', [userId]);
    expect(after!.secret_encrypted).toBe(written);

    expect(await replaceSealedValue('totp_factors', userId, written, resealedStale)).toBe(true);
  });

  it('leaves a value no configured key opens as it is, counts it unreadable and audits the run as a failure', async () => {
    useKeys(KEY_B, [KEY_A]);
    const userId = await enrolledUser();
    const lost = encrypt('sealed under a key that is gone', { current: randomBytes(32), old: [] }, totpSealingContext(userId));
    await database.sql('UPDATE totp_factors SET secret_encrypted = $1 WHERE user_id = $2', [lost, userId]);

    const result = await reencryptSealedValues(testContext());
    expect(result.tables.totp_factors).toEqual({ found: 1, reencrypted: 0, changedMeanwhile: 0, unreadable: 1 });
    const [row] = await database.sql('SELECT secret_encrypted FROM totp_factors WHERE user_id = $1', [userId]);
    expect(row!.secret_encrypted).toBe(lost);
    const [event] = await database.sql("SELECT outcome, details FROM audit_events WHERE type = 'encryption.reencrypted' ORDER BY seq DESC LIMIT 1");
    expect(event).toMatchObject({ outcome: 'failure', details: { totpFactorsUnreadable: 1 } });
  });
});
