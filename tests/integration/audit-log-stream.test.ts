import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { settleAuditLogStream } from '../../lib/audit/log-stream';
import { recordAuditEvent } from '../../lib/audit/record';
import { installConfig, type Config } from '../../lib/config';
import { db } from '../../lib/db/client';
import { installLogger, logger } from '../../lib/log/logger';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';

/**
 * OPTARE_AUDIT_LOG_STREAM=stdout (lib/audit/log-stream.ts, ASVS 16.4.3): audit events also go to
 * the request log, for the operator to ship to a separate system, once committed, and never an
 * event whose transaction rolled back.
 */

let database: TestDatabase;
let config: Config;
const original = logger();
let lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  config = useTestConfig({ OPTARE_AUDIT_LOG_STREAM: 'stdout' });
  database = await openTestDatabase();
});
afterAll(async () => {
  installLogger(original);
  await database.close();
});
afterEach(() => installConfig(config));

/** The request log at LOG_LEVEL=warn, captured: audit lines must get through anyway. */
function captureLog(): void {
  lines = [];
  installLogger(pino({ level: 'warn', base: { service: 'optare' } }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }));
}

const auditLines = () => lines.filter((line) => line.audit === true);

describe('the audit log stream', () => {
  it('writes each recorded event once, as a JSON line with audit: true and the export’s fields, even at LOG_LEVEL=warn', async () => {
    captureLog();
    const recorded = await recordAuditEvent({
      type: 'user.updated',
      outcome: 'success',
      subject: 'stream-subject-1',
      details: { fields: ['name'] },
      context: testContext({ ip: '198.51.100.5', userAgent: 'stream-test' }),
    });
    await settleAuditLogStream();
    const [row] = await database.sql<{ hash: Buffer; prev_hash: Buffer }>('SELECT hash, prev_hash FROM audit_events WHERE seq = $1', [recorded.seq.toString()]);
    expect(auditLines()).toEqual([
      expect.objectContaining({
        level: 30,
        service: 'optare',
        audit: true,
        msg: 'audit event',
        seq: recorded.seq.toString(),
        createdAt: recorded.createdAt.toISOString(),
        type: 'user.updated',
        outcome: 'success',
        actorUserId: null,
        actorApiKeyId: null,
        subject: 'stream-subject-1',
        ip: '198.51.100.5',
        userAgent: 'stream-test',
        details: { fields: ['name'] },
        prevHash: Buffer.from(row!.prev_hash).toString('hex'),
        hash: Buffer.from(row!.hash).toString('hex'),
      }),
    ]);
  });

  it('writes an event recorded in a transaction only after it commits, and never one whose transaction rolled back', async () => {
    captureLog();
    let seenInside = -1;
    await db().$transaction(async (tx) => {
      await recordAuditEvent({ type: 'user.updated', outcome: 'success', subject: 'stream-committed', context: testContext() }, tx);
      await new Promise((resolve) => setTimeout(resolve, 400)); // the stream polls meanwhile
      seenInside = auditLines().length;
    });
    await expect(
      db().$transaction(async (tx) => {
        await recordAuditEvent({ type: 'user.updated', outcome: 'success', subject: 'stream-rolled-back', context: testContext() }, tx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await recordAuditEvent({ type: 'user.updated', outcome: 'success', subject: 'stream-after', context: testContext() });
    await settleAuditLogStream();
    expect(seenInside).toBe(0);
    expect(auditLines().map((line) => line.subject)).toEqual(['stream-committed', 'stream-after']);
  });

  it('writes nothing when OPTARE_AUDIT_LOG_STREAM is off (the default)', async () => {
    installConfig({ ...config, auditLogStream: 'off' });
    const captured: string[] = [];
    installLogger(pino({ level: 'info' }, { write: (line: string) => void captured.push(line) }));
    await recordAuditEvent({ type: 'user.updated', outcome: 'success', subject: 'stream-off', context: testContext() });
    await settleAuditLogStream();
    expect(captured.filter((line) => line.includes('"audit":true'))).toEqual([]);
    expect(await database.sql("SELECT count(*)::int AS n FROM audit_events WHERE subject = 'stream-off'")).toEqual([{ n: 1 }]);
  });
});
