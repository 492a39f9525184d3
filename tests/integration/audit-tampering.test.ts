import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordAuditEvent } from '../../lib/audit/record';
import { verifyAuditChain } from '../../lib/audit/verify';
import { auditContentHashV2, personalDigest } from '../../lib/audit/personal';
import { chainHash } from '../../lib/audit/chain';
import { openTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

const EVENTS = 5;

// Each test starts from a fresh chain of 5 events: subject user<seq>@example.com.
beforeEach(async () => {
  await asMaliciousDba(`
    TRUNCATE audit_events;
    UPDATE audit_chain_head SET seq = 0, hash = decode(repeat('00', 32), 'hex'), prev_hash = decode(repeat('00', 32), 'hex');
  `);
  for (let i = 1; i <= EVENTS; i++) {
    await recordAuditEvent({
      type: 'user.disabled',
      outcome: 'success',
      subject: `user${i}@example.com`,
      details: { via: 'admin' },
      context: { ip: '192.0.2.1', userAgent: 'vitest', requestId: `req-${i}` },
    });
  }
  expect(await verify()).toEqual({ ok: true, events: EVENTS });
});

/** Someone with the database owner's rights switches the append-only trigger off to tamper. */
async function asMaliciousDba(sql: string, values?: unknown[]) {
  await database.sql('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
  try {
    await database.sql(sql, values);
  } finally {
    await database.sql('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
  }
}

// A small batch size makes the walk cross several batch boundaries.
const verify = () => verifyAuditChain({ batchSize: 2 });

describe('audit chain tampering is detected', () => {
  it('an edited details field names that record', async () => {
    await asMaliciousDba(`UPDATE audit_events SET details = '{"via":"cli"}' WHERE seq = 3`);
    expect(await verify()).toEqual({
      ok: false,
      events: 3,
      firstBroken: { seq: 3, code: 'hash_mismatch', reason: expect.stringMatching(/record 3 was altered/) },
    });
  });

  it('an edited subject names that record', async () => {
    await asMaliciousDba(`UPDATE audit_events SET subject = 'someone-else@example.com' WHERE seq = 2`);
    expect(await verify()).toMatchObject({ ok: false, firstBroken: { seq: 2, code: 'hash_mismatch' } });
  });

  it('a record rewritten together with a recomputed hash breaks the link to the next one', async () => {
    const [row] = await database.sql('SELECT * FROM audit_events WHERE seq = 3');
    const forged = {
      createdAt: row!.created_at as Date,
      type: row!.type as string,
      actorUserId: null,
      subject: 'nobody@example.com',
      ip: row!.ip as string,
      userAgent: row!.user_agent as string,
      requestId: row!.request_id as string,
      outcome: row!.outcome as string,
      details: row!.details as { via: string },
    };
    // Events are version 2: the forger reads the salt too and recomputes the personal digest.
    const [{ salt }] = (await database.sql('SELECT salt FROM audit_personal_salts WHERE seq = 3')) as [{ salt: Buffer }];
    const digest = personalDigest(forged, salt);
    const hash = chainHash(row!.prev_hash as Buffer, 3n, auditContentHashV2(forged, digest));
    await asMaliciousDba('UPDATE audit_events SET subject = $1, personal_digest = $2, hash = $3 WHERE seq = 3', [
      forged.subject,
      Buffer.from(digest),
      Buffer.from(hash),
    ]);
    expect(await verify()).toMatchObject({
      ok: false,
      firstBroken: { seq: 4, code: 'broken_link', reason: expect.stringMatching(/hash of record 3/) },
    });
  });

  it('a deleted middle record names the gap', async () => {
    await asMaliciousDba('DELETE FROM audit_events WHERE seq = 3');
    expect(await verify()).toEqual({
      ok: false,
      events: 3,
      firstBroken: { seq: 3, code: 'missing_records', reason: 'record 3 is missing before seq 4' },
    });
  });

  it('deleting the newest records leaves the head pointing past the end', async () => {
    await asMaliciousDba('DELETE FROM audit_events WHERE seq >= 4');
    expect(await verify()).toEqual({
      ok: false,
      events: 3,
      firstBroken: { seq: 4, code: 'head_mismatch', reason: expect.stringMatching(/head mismatch.*records 4\.\.5 are missing/) },
    });
  });

  it('a record forged after the head, bypassing the append path, is reported', async () => {
    await asMaliciousDba(`
      INSERT INTO audit_events (seq, created_at, type, outcome, prev_hash, hash)
      SELECT 6, now(), 'user.created', 'success', hash, hash FROM audit_chain_head`);
    expect(await verify()).toMatchObject({ ok: false, firstBroken: { seq: 6, code: 'records_after_head' } });
  });
});
