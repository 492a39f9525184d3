import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { auditSettingsChanges } from '../../lib/server/settings-audit';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

describe('settings.changed', () => {
  const key = randomBytes(32).toString('base64');
  const base = { OPTARE_ENCRYPTION_KEY: key, OPTARE_ISSUER: 'https://id.example.com' };

  it('records every audited setting at the first start, and nothing when a restart changes nothing', async () => {
    const config = useTestConfig(base);
    expect(await auditSettingsChanges(config, testContext())).toContain('issuer');
    expect(await auditSettingsChanges(config, testContext())).toEqual([]);
    const events = await database.sql("SELECT 1 FROM audit_events WHERE type = 'settings.changed'");
    expect(events).toHaveLength(1);
  });

  it('names exactly what changed: a new issuer, a rotated key (by id, never the key)', async () => {
    const issuerChanged = useTestConfig({ ...base, OPTARE_ISSUER: 'https://login.example.com' });
    expect(await auditSettingsChanges(issuerChanged, testContext())).toEqual(['issuer']);

    const newKey = randomBytes(32).toString('base64');
    const rotated = useTestConfig({
      OPTARE_ISSUER: 'https://login.example.com',
      OPTARE_ENCRYPTION_KEY: newKey,
      OPTARE_ENCRYPTION_KEYS_OLD: key,
    });
    expect(await auditSettingsChanges(rotated, testContext())).toEqual(['encryptionKeyId', 'previousEncryptionKeyIds']);
    const dump = JSON.stringify(await database.sql('SELECT details FROM audit_events'));
    expect(dump).not.toContain(key);
    expect(dump).not.toContain(newKey);
    expect(dump).not.toContain(Buffer.from(newKey, 'base64').toString('hex'));
  });
});
