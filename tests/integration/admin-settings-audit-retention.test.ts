import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { recordAuditEvent } from '../../lib/audit/record';
import { pruneAuditEvents } from '../../lib/audit/retention';
import { verifyAuditChain } from '../../lib/audit/verify';
import { useTestConfig } from '../support/config';
import { openTestDatabase, type TestDatabase } from '../support/database';

/**
 * Audit retention (the console's "Audit log retention" setting): the maintenance job deletes the
 * oldest events, records `audit.pruned` with the last deleted event's hash, and the chain still
 * verifies from there. Deleting old events any other way is still reported.
 */

let database: TestDatabase;
beforeAll(async () => {
  useTestConfig();
  database = await openTestDatabase();
});
afterAll(() => database.close());

const DAY_MS = 86_400_000;
const NOW = new Date();

/** Someone with the database owner's rights switches the append-only trigger off to tamper. */
async function asMaliciousDba(sql: string) {
  await database.sql('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
  try {
    await database.sql(sql);
  } finally {
    await database.sql('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
  }
}

function record(subject: string) {
  return recordAuditEvent({
    type: 'user.disabled',
    outcome: 'success',
    subject,
    details: { via: 'admin' },
    context: { ip: '192.0.2.1', userAgent: 'vitest', requestId: null },
  });
}

/** Records `count` events as if it were `daysAgo` days before NOW. */
async function recordAt(daysAgo: number, count: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW.getTime() - daysAgo * DAY_MS));
  try {
    for (let i = 0; i < count; i++) await record(`old-${daysAgo}-${i}@example.com`);
  } finally {
    vi.useRealTimers();
  }
}

const seqs = async () => (await database.sql<{ seq: string }>('SELECT seq FROM audit_events ORDER BY seq')).map((row) => Number(row.seq));
const verify = () => verifyAuditChain({ batchSize: 2 });

// Each test starts from a fresh chain: 3 events 400 days old, 2 events 100 days old, 2 of today.
beforeEach(async () => {
  await asMaliciousDba(`
    TRUNCATE audit_events;
    UPDATE audit_chain_head SET seq = 0, hash = decode(repeat('00', 32), 'hex'), prev_hash = decode(repeat('00', 32), 'hex');
  `);
  await recordAt(400, 3);
  await recordAt(100, 2);
  await record('today-1@example.com');
  await record('today-2@example.com');
  expect(await verify()).toEqual({ ok: true, events: 7 });
});
afterEach(() => vi.useRealTimers());

describe('audit retention', () => {
  it('keeps everything with retention 0 (the default)', async () => {
    expect(await pruneAuditEvents(0, NOW)).toBeNull();
    expect(await seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('deletes the events older than the retention, records it, and the chain verifies from there', async () => {
    expect(await pruneAuditEvents(365, NOW)).toEqual({ deleted: 3, throughSeq: 3n });
    expect(await seqs()).toEqual([4, 5, 6, 7, 8]);
    const [hash3] = await database.sql<{ hash: Buffer }>('SELECT prev_hash AS hash FROM audit_events WHERE seq = 4');
    const [pruned] = await database.sql<{ type: string; subject: string; details: Record<string, unknown> }>('SELECT type, subject, details FROM audit_events WHERE seq = 8');
    expect(pruned).toEqual({
      type: 'audit.pruned',
      subject: 'audit_log',
      details: { throughSeq: 3, lastHash: hash3!.hash.toString('hex'), retentionDays: 365, deleted: 3, olderThan: new Date(NOW.getTime() - 365 * DAY_MS).toISOString() },
    });
    expect(await verify()).toEqual({ ok: true, events: 5, prunedThrough: 3 });

    // A later, shorter retention deletes the next ones, the first pruning's record included.
    await record('after@example.com');
    expect(await pruneAuditEvents(30, NOW)).toEqual({ deleted: 2, throughSeq: 5n });
    expect(await seqs()).toEqual([6, 7, 8, 9, 10]);
    expect(await verify()).toEqual({ ok: true, events: 5, prunedThrough: 5 });
    // Nothing more is old enough: no deletion, no event.
    expect(await pruneAuditEvents(30, NOW)).toBeNull();
    expect(await seqs()).toEqual([6, 7, 8, 9, 10]);
  });

  it('deletes everything when every event is older, leaving its own record to start the chain', async () => {
    expect(await pruneAuditEvents(1, new Date(NOW.getTime() + 2 * DAY_MS))).toEqual({ deleted: 7, throughSeq: 7n });
    expect(await seqs()).toEqual([8]);
    expect(await verify()).toEqual({ ok: true, events: 1, prunedThrough: 7 });
  });

  it('still reports old events deleted outside the job', async () => {
    await asMaliciousDba('DELETE FROM audit_events WHERE seq <= 2');
    expect(await verify()).toMatchObject({
      ok: false,
      firstBroken: { seq: 1, code: 'missing_records', reason: expect.stringMatching(/records 1\.\.2 are missing before seq 3, and no audit\.pruned event/) },
    });
  });

  it("still reports deleting more than the job did, even with the job's own database setting", async () => {
    await pruneAuditEvents(365, NOW);
    await database.sql(`BEGIN; SELECT set_config('optare.audit_retention', 'on', true); DELETE FROM audit_events WHERE seq <= 5; COMMIT;`);
    expect(await seqs()).toEqual([6, 7, 8]);
    expect(await verify()).toMatchObject({ ok: false, firstBroken: { seq: 1, code: 'missing_records' } });
  });

  it('a forged audit.pruned record breaks the chain like any other edit', async () => {
    await pruneAuditEvents(365, NOW);
    await asMaliciousDba(`UPDATE audit_events SET details = jsonb_set(details, '{throughSeq}', '5') WHERE seq = 8`);
    expect(await verify()).toMatchObject({ ok: false, firstBroken: { seq: 8, code: 'hash_mismatch' } });
  });

  it("the database still refuses UPDATE, TRUNCATE, and a DELETE without the job's setting", async () => {
    await expect(database.sql('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(
      database.sql(`BEGIN; SELECT set_config('optare.audit_retention', 'on', true); UPDATE audit_events SET subject = 'x' WHERE seq = 1; COMMIT;`),
    ).rejects.toThrow(/append-only/);
    await database.sql('ROLLBACK');
    await expect(database.sql('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    // The job's setting lasts only for its transaction.
    await database.sql(`BEGIN; SELECT set_config('optare.audit_retention', 'on', true); COMMIT;`);
    await expect(database.sql('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
    expect(await seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
