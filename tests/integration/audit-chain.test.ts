import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../lib/db/generated/client';
import { db } from '../../lib/db/client';
import { recordAuditEvent } from '../../lib/audit/record';
import { verifyAuditChain } from '../../lib/audit/verify';
import { AuditInputError } from '../../lib/audit/sanitize';
import type { AuditEventInput } from '../../lib/audit/events';
import { openTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

const context = { ip: '203.0.113.9', userAgent: 'vitest', requestId: 'req-audit-chain' };
const signIn = (subject: string): AuditEventInput => ({
  type: 'auth.sign_in',
  outcome: 'success',
  subject,
  details: { method: 'pwd' },
  context,
});

async function chainRows() {
  return database.sql<{ seq: string; prev_hash: Buffer; hash: Buffer }>(
    'SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq',
  );
}

async function head() {
  const [row] = await database.sql<{ seq: string; hash: Buffer }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
  return row!;
}

// Tests run in order and each builds on the chain the previous ones left.
describe('audit chain', () => {
  it('starts empty, and verifies on an empty chain', async () => {
    expect(await verifyAuditChain()).toEqual({ ok: true, events: 0 });
  });

  it('stays linear when ~50 events are appended at once from two independent clients', async () => {
    // A second pool stands for a second Optare instance on the same database.
    const otherInstance = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url, max: 4 }) });
    try {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => recordAuditEvent(signIn(`user${i}@example.com`), i % 2 ? otherInstance : undefined)),
      );
    } finally {
      await otherInstance.$disconnect();
    }
    const rows = await chainRows();
    expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(rows[0]!.prev_hash).toEqual(Buffer.alloc(32));
    rows.slice(1).forEach((row, i) => expect(row.prev_hash).toEqual(rows[i]!.hash));
    expect(await head()).toEqual({ seq: '50', hash: rows[49]!.hash });
  });

  it('verifies the clean chain, whatever the batch size', async () => {
    for (const batchSize of [1, 7, 50, 500]) {
      expect(await verifyAuditChain({ batchSize })).toEqual({ ok: true, events: 50 });
    }
  });

  it('stores strings stripped of NUL and control characters, and the chain still verifies', async () => {
    const { seq } = await recordAuditEvent({
      ...signIn('eve\u0000@example.com\r\n'),
      details: { reason: 'bad\u0000\u001b[2Jpassword', scopes: ['openid\u0000'] },
      context: { ip: '10.0.0.1\u0000', userAgent: 'evil\u0000agent\n', requestId: null },
    });
    const [row] = await database.sql('SELECT subject, ip, user_agent, details FROM audit_events WHERE seq = $1', [seq]);
    expect(row).toEqual({
      subject: 'eve@example.com',
      ip: '10.0.0.1',
      user_agent: 'evilagent',
      details: { reason: 'bad[2Jpassword', scopes: ['openid'] },
    });
    expect(await verifyAuditChain()).toEqual({ ok: true, events: 51 });
  });

  it('refuses secret-looking detail keys and records nothing', async () => {
    for (const key of ['password', 'accessToken', 'client_secret', 'code']) {
      await expect(recordAuditEvent({ ...signIn('ada@example.com'), details: { [key]: 'hunter2' } })).rejects.toThrow(
        AuditInputError,
      );
    }
    expect((await head()).seq).toBe('51');
    const leaked = await database.sql("SELECT seq FROM audit_events WHERE details::text LIKE '%hunter2%'");
    expect(leaked).toHaveLength(0);
  });

  it('records inside a caller transaction: a rollback leaves no event and does not advance the head', async () => {
    const before = await head();
    await expect(
      db().$transaction(async (tx) => {
        await recordAuditEvent({ ...signIn('rolled-back@example.com'), type: 'user.created' }, tx);
        throw new Error('the change the event described failed');
      }),
    ).rejects.toThrow('the change the event described failed');
    expect(await head()).toEqual(before);
    expect(await database.sql("SELECT seq FROM audit_events WHERE subject = 'rolled-back@example.com'")).toHaveLength(0);

    const { seq } = await db().$transaction((tx) => recordAuditEvent({ ...signIn('committed@example.com'), type: 'user.created' }, tx));
    expect(seq).toBe(52n);
    expect(await verifyAuditChain()).toEqual({ ok: true, events: 52 });
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on audit_events while the trigger is enabled', async () => {
    await expect(database.sql(`UPDATE audit_events SET subject = 'forged' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(database.sql('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(database.sql('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    expect(await chainRows()).toHaveLength(52);
    expect(await verifyAuditChain()).toEqual({ ok: true, events: 52 });
  });
});
