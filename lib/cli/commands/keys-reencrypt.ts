import 'server-only';
import { DEFAULT_REENCRYPTION_BATCH_SIZE, reencryptSealedValues } from '../../admin/reencrypt-sealed-values';
import { cliAuditContext } from '../audit-context';
import { defineCommand, optionalString, UsageError } from '../command';

const MAX_BATCH_SIZE = 10_000;

export const keysReencrypt = defineCommand({
  name: 'keys reencrypt',
  summary: 'Re-encrypt values sealed under an old encryption key with the current one',
  synopsis: '[--batch-size N] [--json]',
  help:
    'Finds every value encrypted at rest (signing private keys, authenticator-app secrets) that a key in\n' +
    'OPTARE_ENCRYPTION_KEYS_OLD sealed, and seals it again under OPTARE_ENCRYPTION_KEY. Prints counts per table,\n' +
    'never a value, and records encryption.reencrypted in the audit log. Safe while servers run: a row changed\n' +
    'meanwhile keeps its newer value. Running it again changes nothing. Once it reports no unreadable value,\n' +
    'the old key can be removed from OPTARE_ENCRYPTION_KEYS_OLD (after restarting every server with the new key).\n' +
    `  --batch-size  rows read at a time (default ${DEFAULT_REENCRYPTION_BATCH_SIZE}, at most ${MAX_BATCH_SIZE})`,
  options: { 'batch-size': { type: 'string' } },
  parseInput(values): { batchSize?: number } {
    const text = optionalString(values, 'batch-size');
    if (text === undefined) return {};
    const batchSize = /^[1-9][0-9]{0,4}$/.test(text) ? Number(text) : NaN;
    if (!(batchSize <= MAX_BATCH_SIZE)) throw new UsageError(`--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE}`);
    return { batchSize };
  },
  async run(input) {
    const result = await reencryptSealedValues(cliAuditContext(), input);
    const lines = Object.entries(result.tables).map(
      ([table, count]) =>
        `${table}: ${count.reencrypted} re-encrypted` +
        (count.changedMeanwhile ? `, ${count.changedMeanwhile} changed meanwhile (left as written)` : '') +
        (count.unreadable ? `, ${count.unreadable} unreadable` : ''),
    );
    const unreadable = Object.values(result.tables).reduce((sum, count) => sum + count.unreadable, 0);
    const json = { ok: unreadable === 0, keyId: result.keyId, tables: result.tables };
    if (unreadable > 0) {
      return {
        ok: false,
        json,
        message:
          `${unreadable} value(s) could not be decrypted with the configured keys (is a key missing from OPTARE_ENCRYPTION_KEYS_OLD?); ` +
          `the others are now sealed under key ${result.keyId}: ${lines.join('; ')}`,
      };
    }
    return { ok: true, json, text: [`Values are sealed under encryption key ${result.keyId}.`, ...lines].join('\n') };
  },
});
