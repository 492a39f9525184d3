import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as listRoute } from '../../app/api/admin/v1/audit-events/route';
import { GET as eventRoute } from '../../app/api/admin/v1/audit-events/[seq]/route';
import { POST as verifyRoute } from '../../app/api/admin/v1/audit-events/verify/route';
import { POST as consoleVerifyRoute } from '../../app/api/admin/console/audit/verify/route';
import { auditFilterSchema } from '../../lib/admin/audit-filter';
import { chainCheckState, decodeAuditCursor, encodeAuditCursor, listAuditEvents } from '../../lib/admin/audit-log';
import { REDACTED, type AuditEventInput } from '../../lib/audit/events';
import { recordAuditEvent } from '../../lib/audit/record';
import { useTestConfig } from '../support/config';
import { testContext } from '../support/context';
import { openTestDatabase, type TestDatabase } from '../support/database';
import {
  AUDIT_ISSUER,
  callApi,
  callConsole,
  consoleCookie,
  expectJson,
  expectRefused,
  newApiKey,
  newUser,
} from './admin-audit-support';

/**
 * The audit log for administrators (lib/admin/audit-log.ts, the admin API's /audit-events and
 * the console's verify route): every filter narrows to exactly the events it names, the cursor
 * pages through them without gaps or duplicates, one event reads whole, and the chain check
 * finds a tampered record.
 */

let database: TestDatabase;
let admin: Awaited<ReturnType<typeof newUser>>;
let reader: Awaited<ReturnType<typeof newApiKey>>;
let writerKey: Awaited<ReturnType<typeof newApiKey>>;
const seqOf: Record<string, string> = {};
const CLIENT_A = 'client-a-audit';
const CLIENT_B = 'client-b-audit';

async function record(name: string, event: Omit<AuditEventInput, 'context'> & { context?: AuditEventInput['context'] }) {
  const { seq } = await recordAuditEvent({ context: testContext(), ...event });
  seqOf[name] = seq.toString();
}

/** The seqs the admin API lists for `query`, newest first (every page). */
async function listed(query: string): Promise<string[]> {
  const seqs: string[] = [];
  let cursor: string | null = null;
  do {
    const separator = query ? '&' : '';
    const page = await expectJson(
      await callApi(listRoute, 'GET', `/audit-events?${query}${separator}limit=100${cursor ? `&cursor=${cursor}` : ''}`, { key: reader.key }),
    );
    seqs.push(...page.items.map((item: { seq: string }) => item.seq));
    cursor = page.nextCursor;
  } while (cursor);
  return seqs;
}

/** The same set, straight from the table: the ground truth a filter must match. */
async function inTable(where: string, values: unknown[] = []): Promise<string[]> {
  return (await database.sql<{ seq: string }>(`SELECT seq::text AS seq FROM audit_events WHERE ${where} ORDER BY seq DESC`, values)).map((row) => row.seq);
}

/** Someone with the database owner's rights switches the append-only trigger off to tamper. */
async function asMaliciousDba(sql: string, values: unknown[]) {
  await database.sql('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
  try {
    await database.sql(sql, values);
  } finally {
    await database.sql('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
  }
}

beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: AUDIT_ISSUER });
  database = await openTestDatabase();
  admin = await newUser('audit-admin', true);
  reader = await newApiKey(['audit:read'], admin.id);
  writerKey = await newApiKey(['clients:write'], admin.id);

  await record('adminUpdate', {
    type: 'client.updated',
    outcome: 'success',
    actorUserId: admin.id,
    subject: CLIENT_A,
    details: { changes: [{ field: 'name', before: 'Old', after: 'New' }, { field: 'clientSecret', before: REDACTED, after: REDACTED }] },
    context: testContext({ ip: '198.51.100.1' }),
  });
  await record('keyUpdate', {
    type: 'client.updated',
    outcome: 'success',
    actorApiKeyId: writerKey.id,
    subject: CLIENT_A,
    details: { changes: [{ field: 'redirectUris', before: ['https://a.example/cb'], after: ['https://b.example/cb'] }] },
    context: testContext({ ip: '198.51.100.2' }),
  });
  await record('tokenRevoked', {
    type: 'token.revoked',
    outcome: 'success',
    subject: 'grant-1',
    details: { kind: 'refresh_token', clientId: CLIENT_A },
    context: testContext({ ip: '198.51.100.3' }),
  });
  await record('consent', { type: 'consent.granted', outcome: 'success', actorUserId: admin.id, subject: CLIENT_B, context: testContext({ ip: '198.51.100.4' }) });
  await record('failedSignIn', {
    type: 'auth.sign_in',
    outcome: 'failure',
    subject: 'nobody@example.com',
    details: { method: 'pwd', reason: 'unknown_user' },
    context: testContext({ ip: '198.51.100.5' }),
  });
  await record('keyDisable', { type: 'client.disabled', outcome: 'success', actorApiKeyId: writerKey.id, subject: CLIENT_B, context: testContext({ ip: '198.51.100.2' }) });
});
afterAll(() => database.close());

describe('filters', () => {
  it('by one type, several types (repeated or comma-separated): exactly the events of those types', async () => {
    expect(await listed('type=client.updated')).toEqual(await inTable(`type = 'client.updated'`));
    expect(await listed('type=client.updated')).toEqual([seqOf.keyUpdate, seqOf.adminUpdate]);
    const several = await inTable(`type IN ('client.updated', 'client.disabled', 'consent.granted')`);
    expect(several.length).toBe(4);
    expect(await listed('type=client.updated&type=client.disabled&type=consent.granted')).toEqual(several);
    expect(await listed('type=client.updated,client.disabled,consent.granted')).toEqual(several);
  });

  it('by actor: a user id, that user’s email, an API key id, an API key prefix', async () => {
    const byAdmin = await inTable('actor_user_id = $1', [admin.id]);
    expect(byAdmin).toContain(seqOf.adminUpdate);
    expect(byAdmin).toContain(seqOf.consent);
    expect(await listed(`actor=${admin.id}`)).toEqual(byAdmin);
    expect(await listed(`actor=${encodeURIComponent(admin.email)}`)).toEqual(byAdmin);
    expect(await listed(`actor=${encodeURIComponent(admin.email.toUpperCase())}`)).toEqual(byAdmin);
    expect(await listed(`actor=${admin.id.toUpperCase()}`)).toEqual(byAdmin);

    expect(await listed(`actor=${writerKey.id}`)).toEqual([seqOf.keyDisable, seqOf.keyUpdate]);
    expect(await listed(`actor=${writerKey.prefix}`)).toEqual([seqOf.keyDisable, seqOf.keyUpdate]);
  });

  it('by an actor that names nobody: no events (not every event)', async () => {
    expect(await listed('actor=nobody.here%40example.com')).toEqual([]);
    expect(await listed('actor=00000000-0000-4000-8000-000000000000')).toEqual([]);
    expect(await listed('actor=opk_00000000')).toEqual([]);
  });

  it('by subject, exactly', async () => {
    expect(await listed(`subject=${CLIENT_A}`)).toEqual([seqOf.keyUpdate, seqOf.adminUpdate]);
    expect(await listed('subject=client-a')).toEqual([]);
    expect(await listed('subject=nobody%40example.com')).toEqual([seqOf.failedSignIn]);
  });

  it('by client: events whose subject is the client and token events naming it in details.clientId', async () => {
    expect(await listed(`client=${CLIENT_A}`)).toEqual([seqOf.tokenRevoked, seqOf.keyUpdate, seqOf.adminUpdate]);
    expect(await listed(`client=${CLIENT_B}`)).toEqual([seqOf.keyDisable, seqOf.consent]);
    expect(await listed('client=client-c-audit')).toEqual([]);
  });

  it('by IP address, exactly', async () => {
    expect(await listed('ip=198.51.100.2')).toEqual([seqOf.keyDisable, seqOf.keyUpdate]);
    expect(await listed('ip=198.51.100.20')).toEqual([]);
  });

  it('by outcome', async () => {
    expect(await listed('outcome=failure')).toEqual(await inTable(`outcome = 'failure'`));
    expect(await listed('outcome=failure')).toContain(seqOf.failedSignIn);
    expect(await listed('outcome=success')).toEqual(await inTable(`outcome = 'success'`));
    expect(await listed('outcome=success')).not.toContain(seqOf.failedSignIn);
  });

  it('by time range: from inclusive, to exclusive, offsets honoured, UTC without one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const [name, at] of [
        ['t0', '2001-01-01T00:00:00.000Z'],
        ['t1', '2001-01-01T01:00:00.000Z'],
        ['t2', '2001-01-01T02:00:00.000Z'],
      ] as const) {
        vi.setSystemTime(new Date(at));
        await record(name, { type: 'settings.changed', outcome: 'success', subject: 'time-range', context: testContext() });
      }
    } finally {
      vi.useRealTimers();
    }
    const range = (query: string) => listed(`subject=time-range&${query}`);
    expect(await range('from=2001-01-01T01:00:00Z')).toEqual([seqOf.t2, seqOf.t1]);
    expect(await range('from=2001-01-01T00:30Z&to=2001-01-01T02:00Z')).toEqual([seqOf.t1]);
    expect(await range('to=2001-01-01T01:00:00.001Z')).toEqual([seqOf.t1, seqOf.t0]);
    expect(await range('from=2001-01-01T03:00%2B02:00')).toEqual([seqOf.t2, seqOf.t1]);
    expect(await range('from=2001-01-01T01:00')).toEqual([seqOf.t2, seqOf.t1]);
    expect(await range('from=2001-01-01&to=2001-01-02')).toEqual([seqOf.t2, seqOf.t1, seqOf.t0]);
  });

  it('combines every filter with AND', async () => {
    expect(await listed(`type=client.updated&actor=${writerKey.id}&client=${CLIENT_A}&ip=198.51.100.2&outcome=success`)).toEqual([seqOf.keyUpdate]);
    expect(await listed(`type=client.updated&outcome=failure`)).toEqual([]);
    expect(await listed(`actor=${admin.id}&ip=198.51.100.2`)).toEqual([]);
  });

  it('the console form and the API read the same schema: empty fields mean "any"', () => {
    const form = auditFilterSchema.parse({ type: [], actor: '', subject: ' ', client: '', ip: '', outcome: '', from: '', to: '' });
    expect(form).toEqual({ type: [] });
    expect(auditFilterSchema.parse({ type: 'auth.sign_in', outcome: 'failure', from: '2026-05-01T09:30' })).toEqual({
      type: ['auth.sign_in'],
      outcome: 'failure',
      from: '2026-05-01T09:30:00.000Z',
    });
  });
});

describe('pagination', () => {
  it('pages through every matching event newest first, none twice, none missing', async () => {
    for (let i = 0; i < 23; i++) {
      await recordAuditEvent({ type: 'user.updated', outcome: 'success', actorUserId: admin.id, subject: 'paged-subject', details: { i }, context: testContext() });
      // Unrelated events in between: the cursor must skip them, not count them.
      await recordAuditEvent({ type: 'user.updated', outcome: 'success', subject: 'other-subject', context: testContext() });
    }
    const expected = await inTable(`subject = 'paged-subject'`);
    expect(expected).toHaveLength(23);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await expectJson(
        await callApi(listRoute, 'GET', `/audit-events?subject=paged-subject&limit=5${cursor ? `&cursor=${cursor}` : ''}`, { key: reader.key }),
      );
      expect(page.items.length).toBe(pages < 4 ? 5 : 3);
      seen.push(...page.items.map((item: { seq: string }) => item.seq));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(23);
  });

  it('a page that ends exactly at the last event has no next cursor', async () => {
    const page = await listAuditEvents({ type: [], subject: CLIENT_A }, null, 2);
    expect(page.items.map((item) => item.seq)).toEqual([seqOf.keyUpdate, seqOf.adminUpdate]);
    expect(page.nextCursor).toBeNull();
  });

  it('the cursor is opaque and round-trips; anything else is refused', () => {
    const cursor = encodeAuditCursor(123n);
    expect(cursor).not.toContain('123');
    expect(decodeAuditCursor(cursor)).toBe(123n);
    for (const bad of ['123', 'djE6MA', 'djE6LTE', Buffer.from('v1:99999999999999999999').toString('base64url'), 'a b', '']) {
      expect(decodeAuditCursor(bad)).toBeNull();
    }
  });
});

describe('GET /audit-events/{seq}', () => {
  it('answers the event with every column, details as stored and the hashes in hex', async () => {
    const event = await expectJson(await callApi(eventRoute, 'GET', `/audit-events/${seqOf.keyUpdate}`, { key: reader.key, params: { seq: seqOf.keyUpdate! } }));
    const [row] = await database.sql<{ created_at: Date; prev_hash: Buffer; hash: Buffer; request_id: string }>(
      'SELECT created_at, prev_hash, hash, request_id FROM audit_events WHERE seq = $1',
      [seqOf.keyUpdate],
    );
    expect(event).toEqual({
      seq: seqOf.keyUpdate,
      createdAt: row!.created_at.toISOString(),
      type: 'client.updated',
      outcome: 'success',
      actorUserId: null,
      actorApiKeyId: writerKey.id,
      subject: CLIENT_A,
      ip: '198.51.100.2',
      userAgent: 'vitest',
      requestId: row!.request_id,
      details: { changes: [{ field: 'redirectUris', before: ['https://a.example/cb'], after: ['https://b.example/cb'] }] },
      prevHash: row!.prev_hash.toString('hex'),
      hash: row!.hash.toString('hex'),
    });
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('404 for a number no event has; 400 for anything that is not one', async () => {
    await expectRefused(await callApi(eventRoute, 'GET', '/audit-events/999999999', { key: reader.key, params: { seq: '999999999' } }), 404);
    for (const seq of ['0', '-1', 'abc', '1.5', '1e3', '99999999999999999999', "1' OR '1'='1", 'x'.repeat(10_240)]) {
      await expectRefused(await callApi(eventRoute, 'GET', `/audit-events/${encodeURIComponent(seq)}`, { key: reader.key, params: { seq } }), 400);
    }
  });

  it('needs the audit:read scope', async () => {
    await expectRefused(await callApi(eventRoute, 'GET', `/audit-events/${seqOf.consent}`, { key: writerKey.key, params: { seq: seqOf.consent! } }), 403);
    await expectRefused(await callApi(listRoute, 'GET', '/audit-events', { key: writerKey.key }), 403);
    await expectRefused(await callApi(listRoute, 'GET', '/audit-events'), 401);
  });
});

describe('chain verification', () => {
  it('reports the chain intact through the last event, through the API and the console', async () => {
    const [head] = await database.sql<{ seq: string }>('SELECT seq::text AS seq FROM audit_chain_head');
    const api = await expectJson(await callApi(verifyRoute, 'POST', '/audit-events/verify', { key: reader.key }));
    expect(api).toMatchObject({ ok: true, firstBroken: null });
    expect(api.intactThroughSeq).toBeGreaterThanOrEqual(Number(head!.seq));
    expect(api.events).toBe(api.intactThroughSeq);

    const cookie = await consoleCookie(admin.id);
    const console = await expectJson(await callConsole(consoleVerifyRoute, 'POST', '/verify', { cookie }));
    expect(console).toMatchObject({ state: 'done', ok: true, firstBroken: null });
  });

  it('a check that outlasts the request is reported running, shared, and its result given when asked again', async () => {
    const first = await chainCheckState(undefined, 0);
    expect(first.state).toBe('running');
    // A second request while it runs joins it: one walk of the chain.
    const second = await chainCheckState(undefined, 0);
    expect(second.checkId).toBe(first.checkId);
    const done = await chainCheckState(first.checkId, 30_000);
    expect(done).toMatchObject({ state: 'done', checkId: first.checkId, ok: true });
    // Asked again after it finished, the same check answers at once with its result.
    expect(await chainCheckState(first.checkId, 0)).toEqual(done);
    // Without its id, a new check starts.
    const next = await chainCheckState(undefined, 30_000);
    expect(next.checkId).not.toBe(first.checkId);

    const cookie = await consoleCookie(admin.id);
    const polled = await expectJson(await callConsole(consoleVerifyRoute, 'POST', '/verify', { cookie, body: JSON.stringify({ checkId: next.checkId }) }));
    expect(polled).toMatchObject({ state: 'done', checkId: next.checkId });
    for (const body of [{ checkId: 'x'.repeat(10_240) }, { checkId: "' OR 1=1" }, { checkId: 42 }, { checkId: ['a'] }]) {
      await expectRefused(await callConsole(consoleVerifyRoute, 'POST', '/verify', { cookie, body: JSON.stringify(body) }), 400);
    }
  });

  it('finds a tampered record and says the chain is intact only before it', async () => {
    const target = seqOf.consent!;
    const [original] = await database.sql<{ ip: string }>('SELECT ip FROM audit_events WHERE seq = $1', [target]);
    await asMaliciousDba('UPDATE audit_events SET ip = $1 WHERE seq = $2', ['203.0.113.66', target]);
    try {
      const result = await expectJson(await callApi(verifyRoute, 'POST', '/audit-events/verify', { key: reader.key }));
      expect(result.ok).toBe(false);
      expect(result.firstBroken).toMatchObject({ seq: Number(target), code: 'hash_mismatch' });
      expect(result.intactThroughSeq).toBe(Number(target) - 1);
      expect(result.firstBroken.reason).toContain(`record ${target} was altered`);
    } finally {
      await asMaliciousDba('UPDATE audit_events SET ip = $1 WHERE seq = $2', [original!.ip, target]);
    }
    expect((await expectJson(await callApi(verifyRoute, 'POST', '/audit-events/verify', { key: reader.key }))).ok).toBe(true);
  });

  it('the console route needs a console administrator and a same-site request', async () => {
    await expectRefused(await callConsole(consoleVerifyRoute, 'POST', '/verify'), 401);
    const member = await newUser('audit-member');
    await expectRefused(await callConsole(consoleVerifyRoute, 'POST', '/verify', { cookie: await consoleCookie(member.id) }), 403);
    const cookie = await consoleCookie(admin.id);
    await expectRefused(await callConsole(consoleVerifyRoute, 'POST', '/verify', { cookie, headers: { origin: 'https://evil.example' } }), 403);
  });
});
