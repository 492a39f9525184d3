import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as listRoute } from '../../app/api/admin/v1/audit-events/route';
import { GET as exportRoute } from '../../app/api/admin/v1/audit-events/export/route';
import { GET as consoleExportRoute } from '../../app/api/admin/console/audit/export/route';
import { auditFilterSchema, queryRecord } from '../../lib/admin/audit-filter';
import { auditExportStream, csvField, CSV_COLUMNS } from '../../lib/audit/export';
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
  parseCsv,
} from './admin-audit-support';

/**
 * Exporting the audit log (lib/audit/export.ts, the admin API's /audit-events/export and the
 * console's export route): RFC 4180 CSV that a spreadsheet cannot be tricked into running, JSON
 * Lines that parse, streamed a batch at a time as the reader pulls, recorded once per export;
 * and hostile filters refused with a 400 before anything is read or recorded.
 */

let database: TestDatabase;
let admin: Awaited<ReturnType<typeof newUser>>;
let reader: Awaited<ReturnType<typeof newApiKey>>;
const HOSTILE_SUBJECT = 'hostile-export';

const exported = async (where = '') =>
  (await database.sql<{ count: string }>(`SELECT count(*)::text AS count FROM audit_events WHERE type = 'audit.exported' ${where}`))[0]!.count;

beforeAll(async () => {
  useTestConfig({ OPTARE_ISSUER: AUDIT_ISSUER });
  database = await openTestDatabase();
  admin = await newUser('export-admin', true);
  reader = await newApiKey(['audit:read'], admin.id);
  // Values a spreadsheet would run, and values that need CSV quoting.
  const hostile: Array<[string, string, Record<string, string>]> = [
    ['=HYPERLINK("https://evil.example","click")', 'Mozilla/5.0 (X11; Linux), "quoted"', { name: '=1+1' }],
    ['+SUM(A1:A9)', '-cmd|calc', { name: '@SUM(1)' }],
    ['@evil', 'plain, with a comma', { note: 'line "one", two' }],
  ];
  for (const [name, userAgent, details] of hostile) {
    await recordAuditEvent({
      type: 'client.updated',
      outcome: 'success',
      actorUserId: admin.id,
      subject: HOSTILE_SUBJECT,
      details: { label: name, ...details },
      context: testContext({ userAgent, ip: '198.51.100.77' }),
    });
  }
  for (let i = 0; i < 35; i++) {
    await recordAuditEvent({ type: 'user.updated', outcome: i % 5 === 0 ? 'failure' : 'success', subject: 'batched-export', details: { i }, context: testContext() });
  }
});
afterAll(() => database.close());

describe('CSV fields', () => {
  it('quotes by RFC 4180 and defuses formulas', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\rx')).toBe('"\'\rx"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('a=1')).toBe('a=1');
  });
});

describe('GET /audit-events/export', () => {
  it('CSV: a header, one record per matching event oldest first, formulas defused, details as JSON', async () => {
    const response = await callApi(exportRoute, 'GET', `/audit-events/export?format=csv&subject=${HOSTILE_SUBJECT}`, { key: reader.key });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="optare-audit-\d{8}T\d{6}Z\.csv"$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const [header, ...records] = parseCsv(await response.text());
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(records).toHaveLength(3);
    const column = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const rows = await database.sql<{ seq: string; hash: Buffer; details: unknown }>(
      `SELECT seq::text AS seq, hash, details FROM audit_events WHERE subject = $1 ORDER BY seq`,
      [HOSTILE_SUBJECT],
    );
    expect(records.map((record) => record[column('seq')])).toEqual(rows.map((row) => row.seq));
    expect(records.map((record) => record[column('hash')])).toEqual(rows.map((row) => row.hash.toString('hex')));
    expect(records.map((record) => record[column('user_agent')])).toEqual([
      'Mozilla/5.0 (X11; Linux), "quoted"',
      "'-cmd|calc",
      'plain, with a comma',
    ]);
    for (const record of records) {
      for (const field of record) expect(field).not.toMatch(/^[=+\-@\t\r]/);
      expect(JSON.parse(record[column('details')]!)).toEqual(rows.find((row) => row.seq === record[column('seq')])!.details);
      expect(record[column('actor_user_id')]).toBe(admin.id);
      expect(record[column('ip')]).toBe('198.51.100.77');
    }
  });

  it('JSON Lines: one parsable event per line, the same as the list answers', async () => {
    const response = await callApi(exportRoute, 'GET', '/audit-events/export?format=jsonl&subject=batched-export&outcome=failure', { key: reader.key });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/jsonl; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="optare-audit-\d{8}T\d{6}Z\.jsonl"$/);
    const text = await response.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(7);
    const listed = await expectJson(await callApi(listRoute, 'GET', '/audit-events?subject=batched-export&outcome=failure&limit=100', { key: reader.key }));
    expect(lines).toEqual([...listed.items].reverse());
  });

  it('is recorded once per export, with the API key, the format and the filter, and covers what existed when it started', async () => {
    const before = Number(await exported());
    const response = await callApi(exportRoute, 'GET', '/audit-events/export?format=jsonl&type=audit.exported&outcome=success', { key: reader.key });
    const through = response.headers.get('x-audit-through-seq');
    const lines = (await response.text()).split('\n').filter(Boolean);
    expect(Number(await exported())).toBe(before + 1);
    // This export's own event came after the point it covers: it is not in it.
    expect(lines).toHaveLength(before);
    const [event] = await database.sql<{ seq: string; actor_api_key_id: string; actor_user_id: string | null; details: Record<string, unknown> }>(
      `SELECT seq::text AS seq, actor_api_key_id, actor_user_id, details FROM audit_events WHERE type = 'audit.exported' ORDER BY seq DESC LIMIT 1`,
    );
    expect(BigInt(event!.seq)).toBeGreaterThan(BigInt(through!));
    expect(event).toMatchObject({ actor_api_key_id: reader.id, actor_user_id: null });
    expect(event!.details).toEqual({ format: 'jsonl', types: ['audit.exported'], outcome: 'success', throughSeq: Number(through) });
  });

  it('an empty result is a header only (CSV) or nothing (JSON Lines)', async () => {
    const csv = await callApi(exportRoute, 'GET', '/audit-events/export?format=csv&subject=nothing-here', { key: reader.key });
    expect(await csv.text()).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
    const jsonl = await callApi(exportRoute, 'GET', '/audit-events/export?format=jsonl&subject=nothing-here', { key: reader.key });
    expect(await jsonl.text()).toBe('');
  });

  it('needs the audit:read scope, and records nothing when refused', async () => {
    const before = await exported();
    const other = await newApiKey(['users:read'], admin.id);
    await expectRefused(await callApi(exportRoute, 'GET', '/audit-events/export?format=csv', { key: other.key }), 403);
    await expectRefused(await callApi(exportRoute, 'GET', '/audit-events/export?format=csv'), 401);
    expect(await exported()).toBe(before);
  });
});

describe('streaming', () => {
  const query = { subject: 'batched-export' };

  it('reads the database a batch at a time, only as the reader pulls', async () => {
    const batches: number[] = [];
    const reader = auditExportStream(query, 'csv', { throughSeq: 1_000_000n, batchSize: 10, onBatch: (rows) => batches.push(rows) }).getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    // The first chunk arrived after one read of 10 rows; nothing was read ahead.
    expect(batches).toEqual([10]);
    const firstRecords = parseCsv(decoder.decode(first.value));
    expect(firstRecords).toHaveLength(11); // the header and 10 events
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(batches).toEqual([10]);

    let records = firstRecords.length - 1;
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      records += parseCsv(decoder.decode(next.value)).length;
    }
    expect(records).toBe(35);
    expect(batches).toEqual([10, 10, 10, 5]);
  });

  it('stops reading when the reader cancels (the client went away)', async () => {
    const batches: number[] = [];
    const reader = auditExportStream(query, 'jsonl', { throughSeq: 1_000_000n, batchSize: 10, onBatch: (rows) => batches.push(rows) }).getReader();
    await reader.read();
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(batches).toEqual([10]);
  });

  it('leaves out events recorded after its starting point', async () => {
    const [head] = await database.sql<{ seq: string }>('SELECT seq::text AS seq FROM audit_chain_head');
    const stream = auditExportStream(query, 'jsonl', { throughSeq: BigInt(head!.seq), batchSize: 10 });
    const reader = stream.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    await recordAuditEvent({ type: 'user.updated', outcome: 'success', subject: 'batched-export', context: testContext() });
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    expect(text.trim().split('\n')).toHaveLength(35);
  });
});

describe('GET /api/admin/console/audit/export', () => {
  it('downloads the filtered set for a console administrator and records it with the administrator', async () => {
    const cookie = await consoleCookie(admin.id);
    const response = await callConsole(consoleExportRoute, 'GET', `/export?format=csv&subject=${HOSTILE_SUBJECT}&type=client.updated`, { cookie });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="optare-audit-\d{8}T\d{6}Z\.csv"$/);
    expect(parseCsv(await response.text())).toHaveLength(4);
    const [event] = await database.sql<{ actor_user_id: string; details: Record<string, unknown> }>(
      `SELECT actor_user_id, details FROM audit_events WHERE type = 'audit.exported' ORDER BY seq DESC LIMIT 1`,
    );
    expect(event).toMatchObject({ actor_user_id: admin.id, details: { format: 'csv', subject: HOSTILE_SUBJECT, types: ['client.updated'] } });
  });

  it('refuses anyone but a console administrator, and a request started by another site', async () => {
    const before = await exported();
    await expectRefused(await callConsole(consoleExportRoute, 'GET', '/export?format=csv'), 401);
    const member = await newUser('export-member');
    await expectRefused(await callConsole(consoleExportRoute, 'GET', '/export?format=csv', { cookie: await consoleCookie(member.id) }), 403);
    const cookie = await consoleCookie(admin.id);
    for (const site of ['cross-site', 'same-site']) {
      await expectRefused(await callConsole(consoleExportRoute, 'GET', '/export?format=csv', { cookie, headers: { 'sec-fetch-site': site } }), 403);
    }
    await expectRefused(await callConsole(consoleExportRoute, 'GET', '/export?format=xlsx', { cookie }), 400);
    await expectRefused(await callConsole(consoleExportRoute, 'GET', '/export', { cookie }), 400);
    expect(await exported()).toBe(before);
  });
});

describe('hostile filters', () => {
  const big = 'x'.repeat(10_240);
  const HOSTILE: Array<[string, string]> = [
    ['an impossible date', 'from=2026-02-30'],
    ['a month 13', 'to=2026-13-01T00:00Z'],
    ['hour 25', 'from=2026-01-01T25:00'],
    ['a word for a date', 'from=yesterday'],
    ['a bad offset', 'from=2026-01-01T00:00%2B15:00'],
    ['the range backwards', 'from=2026-02-01&to=2026-01-01'],
    ['an empty range', 'from=2026-01-01T00:00Z&to=2026-01-01T00:00Z'],
    ['a 10 kB date', `from=${big}`],
    ['a 10 kB type', `type=${big}`],
    ['a 10 kB actor', `actor=${big}`],
    ['a 10 kB subject', `subject=${big}`],
    ['a 10 kB client', `client=${big}`],
    ['a 10 kB IP', `ip=${big}`],
    ['an unknown type', 'type=user.hacked'],
    ['a SQL-ish type', "type=auth.sign_in'--"],
    ['a SQL-ish actor', `actor=${encodeURIComponent("' OR 1=1 --")}`],
    ['a SQL-ish IP', `ip=${encodeURIComponent("1.1.1.1' OR '1'='1")}`],
    ['a SQL-ish outcome', `outcome=${encodeURIComponent("success' OR '1'='1")}`],
    ['a SQL-ish date', `from=${encodeURIComponent("2026-01-01'; DROP TABLE audit_events; --")}`],
    ['an unknown outcome', 'outcome=maybe'],
    ['a repeated actor', `actor=${encodeURIComponent('a@example.com')}&actor=${encodeURIComponent('b@example.com')}`],
    ['a repeated IP', 'ip=192.0.2.1&ip=192.0.2.2'],
    ['a repeated outcome', 'outcome=success&outcome=failure'],
    ['a repeated from', 'from=2026-01-01&from=2026-01-02'],
    ['a repeated subject', 'subject=a&subject=b'],
    ['control characters', `subject=${encodeURIComponent('a\u0000b')}`],
    ['a bidi override', `client=${encodeURIComponent('abc\u202edef')}`],
    ['an actor that is none of the accepted shapes', 'actor=root'],
  ];

  it.each(HOSTILE)('%s: 400 from the list, the API export and the console export, nothing recorded', async (_name, query) => {
    const before = await exported();
    const list = await expectRefused(await callApi(listRoute, 'GET', `/audit-events?${query}`, { key: reader.key }), 400);
    expect(list.fieldErrors).toBeTypeOf('object');
    await expectRefused(await callApi(exportRoute, 'GET', `/audit-events/export?format=csv&${query}`, { key: reader.key }), 400);
    const cookie = await consoleCookie(admin.id);
    await expectRefused(await callConsole(consoleExportRoute, 'GET', `/export?format=csv&${query}`, { cookie }), 400);
    expect(auditFilterSchema.safeParse(queryRecord(new URLSearchParams(query))).success).toBe(false);
    expect(await exported()).toBe(before);
  });

  it.each([
    ['limit 0', 'limit=0'],
    ['limit 101', 'limit=101'],
    ['limit not a number', 'limit=ten'],
    ['a forged cursor', `cursor=${Buffer.from('v1:1 OR 1=1').toString('base64url')}`],
    ['a cursor that is not base64url', 'cursor=%27%20OR%201%3D1'],
    ['a 10 kB cursor', `cursor=${big}`],
    ['a repeated cursor', 'cursor=djE6MTA&cursor=djE6MjA'],
  ])('%s: 400 from the list', async (_name, query) => {
    await expectRefused(await callApi(listRoute, 'GET', `/audit-events?${query}`, { key: reader.key }), 400);
  });

  it('free-text filters holding SQL match nothing and change nothing', async () => {
    const [before] = await database.sql<{ count: string }>('SELECT count(*)::text AS count FROM audit_events');
    for (const query of [
      `subject=${encodeURIComponent("' OR '1'='1")}`,
      `client=${encodeURIComponent("x' OR 1=1; DELETE FROM audit_events; --")}`,
      `subject=${encodeURIComponent('{"$ne": null}')}`,
    ]) {
      const page = await expectJson(await callApi(listRoute, 'GET', `/audit-events?${query}`, { key: reader.key }));
      expect(page.items).toEqual([]);
    }
    const [after] = await database.sql<{ count: string }>('SELECT count(*)::text AS count FROM audit_events');
    expect(after!.count).toBe(before!.count);
  });
});
