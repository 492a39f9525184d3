// `npm run bench:audit-export`: does the audit export stream with bounded memory?
//
// Fills a fresh database with AUDIT_EVENTS (100,000) audit events forming a valid hash chain —
// the first AUDIT_RECORDED (2,000) through recordAuditEvent, to time Optare's own append path,
// the rest by a bulk insert that computes the same chain in JavaScript — checks the chain with
// the verifier (which proves the bulk insert right, and times a full verification), then exports
// every event as CSV and as JSON Lines through the admin API's export route
// (GET /api/admin/v1/audit-events/export, the same handler Next.js runs), served over loopback
// HTTP by a minimal node:http adapter and downloaded by a separate process. This process's heap
// and RSS are sampled every 5 ms throughout. For contrast it then measures the naive way: the
// same rows loaded at once and joined into one CSV string.
//
// The database is the embedded one (PGlite, in a child process, as `npm start` runs it) or, when
// BENCH_DATABASE_URL (or TEST_DATABASE_URL) names a PostgreSQL server, a fresh database there.
// Writes bench/AUDIT-EXPORT.md, and exits non-zero when the export's peak heap growth reaches
// 50 MiB or the export is under 20 MB.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const EVENTS = Number(process.env.AUDIT_EVENTS ?? 100_000);
const RECORDED = Math.min(EVENTS, Number(process.env.AUDIT_RECORDED ?? 2_000));
const INSERT_BATCH = 1_000;
const HEAP_LIMIT_MIB = 50;
const EXPORT_MIN_MB = 20;
const MiB = 1024 * 1024;

/** Child process: the embedded database on its private socket, migrated, until stdin closes. */
async function serveDatabase(dataDir) {
  await import('../scripts/register-server.mjs');
  const { openEmbeddedDatabase } = await import('../lib/db/embedded.ts');
  const { migrate } = await import('../lib/db/migrate.ts');
  fs.mkdirSync(dataDir, { recursive: true });
  const database = await openEmbeddedDatabase(dataDir, { role: 'bench' });
  await migrate(database.url);
  process.stdout.write(`${JSON.stringify({ url: database.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await database.close();
    process.exit(0);
  });
}

async function main() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-audit-bench-'));
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const database = serverUrl ? await freshPostgres(serverUrl) : await embeddedDatabase(path.join(scratch, 'data'));
  try {
    await import('../scripts/register-server.mjs');
    const { installConfig, loadConfig } = await import('../lib/config/index.ts');
    installConfig(
      loadConfig({
        ...process.env,
        DATABASE_URL: undefined,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        OPTARE_ISSUER: 'http://127.0.0.1:3131',
        OPTARE_DATA_DIR: scratch,
        OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        OPTARE_RATE_LIMIT_ADMIN_API: 'off',
      }),
    );
    const { connectDatabase, disconnectDatabase } = await import('../lib/db/client.ts');
    connectDatabase(database.url, database.kind === 'postgresql' ? 5 : 1);
    try {
      const report = await run(database, scratch);
      fs.writeFileSync(path.join(root, 'bench/AUDIT-EXPORT.md'), markdown(report));
      console.log('\nWrote bench/AUDIT-EXPORT.md');
      const failed = report.exports.filter((e) => e.heapGrowthMiB >= HEAP_LIMIT_MIB || e.bytes < EXPORT_MIN_MB * 1e6 || e.records !== e.expected);
      if (failed.length > 0) {
        console.error(`FAILED: ${failed.map((e) => e.format).join(', ')} (heap growth ≥ ${HEAP_LIMIT_MIB} MiB, under ${EXPORT_MIN_MB} MB or records missing)`);
        process.exitCode = 1;
      }
    } finally {
      await disconnectDatabase();
    }
  } finally {
    await database.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function run(database, scratch) {
  const pg = (await import('pg')).default;
  const { recordAuditEvent } = await import('../lib/audit/record.ts');
  const { auditContentHash, canonicalJson } = await import('../lib/audit/canonical.ts');
  const { chainHash } = await import('../lib/audit/chain.ts');
  const { verifyAuditChain } = await import('../lib/audit/verify.ts');
  const { generateApiKey } = await import('../lib/admin/api-keys.ts');
  const { insertApiKey } = await import('../lib/db/api-keys.ts');
  const { db } = await import('../lib/db/client.ts');
  const { csvLine, CSV_HEADER } = await import('../lib/audit/export.ts');
  const { GET: exportRoute } = await import('../app/api/admin/v1/audit-events/export/route.ts');

  const report = { date: new Date().toISOString(), machine: machine(), database: database.kind, events: EVENTS, recorded: RECORDED };

  // 1. Optare's own append path: one statement per event, each advancing the chain head.
  console.log(`Recording ${RECORDED} events through recordAuditEvent…`);
  let started = performance.now();
  for (let i = 0; i < RECORDED; i++) await recordAuditEvent(sampleEvent(i));
  report.recordSeconds = (performance.now() - started) / 1000;
  report.recordRate = Math.round(RECORDED / report.recordSeconds);
  console.log(`  ${report.recordSeconds.toFixed(1)} s, ${report.recordRate} events/s`);

  // 2. The rest in bulk, continuing the same chain: hash = SHA-256(prev || seq || content hash).
  console.log(`Inserting ${EVENTS - RECORDED} events in bulk (${INSERT_BATCH} per statement)…`);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  started = performance.now();
  try {
    const [head] = (await client.query('SELECT seq, hash FROM audit_chain_head WHERE id = 1')).rows;
    let seq = BigInt(head.seq);
    let prev = new Uint8Array(head.hash);
    let lastPrev = prev;
    for (let i = RECORDED; i < EVENTS; i += INSERT_BATCH) {
      const values = [];
      const rows = [];
      for (let j = i; j < Math.min(i + INSERT_BATCH, EVENTS); j++) {
        const input = sampleEvent(j);
        const event = {
          createdAt: new Date(),
          type: input.type,
          actorUserId: input.actorUserId ?? null,
          actorApiKeyId: input.actorApiKeyId ?? null,
          subject: input.subject ?? null,
          ip: input.context.ip,
          userAgent: input.context.userAgent,
          requestId: input.context.requestId,
          outcome: input.outcome,
          details: input.details ?? {},
        };
        seq += 1n;
        const hash = chainHash(prev, seq, auditContentHash(event));
        const n = values.length;
        rows.push(`(${Array.from({ length: 13 }, (_, k) => `$${n + k + 1}`).join(',')})`);
        values.push(
          seq.toString(), event.createdAt, event.type, event.actorUserId, event.subject, event.ip, event.userAgent,
          event.requestId, event.outcome, event.actorApiKeyId, canonicalJson(event.details), Buffer.from(prev), Buffer.from(hash),
        );
        lastPrev = prev;
        prev = hash;
      }
      await client.query(
        `INSERT INTO audit_events (seq, created_at, type, actor_user_id, subject, ip, user_agent, request_id, outcome, actor_api_key_id, details, prev_hash, hash) VALUES ${rows.join(',')}`,
        values,
      );
    }
    await client.query('UPDATE audit_chain_head SET seq = $1, hash = $2, prev_hash = $3 WHERE id = 1', [seq.toString(), Buffer.from(prev), Buffer.from(lastPrev)]);
  } finally {
    await client.end();
  }
  report.bulkSeconds = (performance.now() - started) / 1000;
  console.log(`  ${report.bulkSeconds.toFixed(1)} s, ${Math.round((EVENTS - RECORDED) / report.bulkSeconds)} events/s`);

  // 3. The whole chain verifies (the bulk insert formed it correctly), timed.
  console.log('Verifying the chain…');
  started = performance.now();
  const verification = await verifyAuditChain();
  report.verifySeconds = (performance.now() - started) / 1000;
  report.verification = verification;
  console.log(`  ${JSON.stringify(verification)} in ${report.verifySeconds.toFixed(1)} s`);
  if (!verification.ok || verification.events !== EVENTS) throw new Error('the generated chain does not verify');

  // 4. Export through the admin API route over HTTP, downloaded by another process.
  const generated = generateApiKey();
  await insertApiKey({ name: 'bench', prefix: generated.prefix, keyHash: generated.keyHash, scopes: ['audit:read'], createdByUserId: null, expiresAt: new Date(Date.now() + 86_400_000) });
  const server = http.createServer(async (req, res) => {
    try {
      const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers });
      const response = await exportRoute(request, { params: Promise.resolve({}) });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      // Like Next.js's adapter: the web stream is pulled only as fast as the socket drains.
      if (response.body) await pipeline(Readable.fromWeb(response.body), res);
      else res.end();
    } catch (error) {
      console.error(error);
      res.destroy();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  report.exports = [];
  try {
    for (const format of ['csv', 'jsonl']) {
      const file = path.join(scratch, `export.${format}`);
      const url = `http://127.0.0.1:${port}/api/admin/v1/audit-events/export?format=${format}`;
      // Each export covers every event recorded when it starts, earlier exports' audit.exported included.
      const expected = await db().auditEvent.count();
      console.log(`Exporting ${expected} events as ${format}…`);
      const measured = await measure(() => download(url, generated.key, file));
      const bytes = fs.statSync(file).size;
      const records = (await countLines(file)) - (format === 'csv' ? 1 : 0);
      fs.rmSync(file);
      // The same export again, with a full collection before each sample: what the export keeps alive.
      const live = await measure(() => download(url, generated.key, file), { forcedGcEveryMs: 100 });
      fs.rmSync(file);
      const row = { format, bytes, records, expected, seconds: measured.seconds, ...measured.memory, liveHeapGrowthMiB: live.memory.heapGrowthMiB };
      report.exports.push(row);
      console.log(`  ${(bytes / 1e6).toFixed(1)} MB, ${records} records in ${row.seconds.toFixed(1)} s; heap ${row.heapBeforeMiB} → peak ${row.heapPeakMiB} MiB (growth ${row.heapGrowthMiB} MiB; live heap growth ${row.liveHeapGrowthMiB} MiB), RSS ${row.rssBeforeMiB} → peak ${row.rssPeakMiB} MiB`);
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }

  // 5. For contrast: every row at once, then one CSV string (what a non-streamed export does).
  console.log('Naive export (all rows, one string)…');
  const naive = await measure(async () => {
    const rows = await db().auditEvent.findMany({ orderBy: { seq: 'asc' } });
    const text = CSV_HEADER + rows.map(csvLine).join('');
    return text.length;
  });
  report.naive = { chars: naive.result, seconds: naive.seconds, ...naive.memory };
  console.log(`  heap ${naive.memory.heapBeforeMiB} → peak ${naive.memory.heapPeakMiB} MiB (growth ${naive.memory.heapGrowthMiB} MiB), RSS peak ${naive.memory.rssPeakMiB} MiB`);
  report.databasePeakRssMiB = database.peakRssMiB?.() ?? null;
  return report;
}

/**
 * Runs `work`, sampling this process's heap and RSS every 5 ms, with a collected baseline before
 * and after; with `forcedGcEveryMs`, a full collection precedes each sample instead (live heap).
 */
async function measure(work, { forcedGcEveryMs } = {}) {
  globalThis.gc();
  globalThis.gc();
  const before = process.memoryUsage();
  let heapPeak = before.heapUsed;
  let rssPeak = before.rss;
  const sample = () => {
    const now = process.memoryUsage();
    heapPeak = Math.max(heapPeak, now.heapUsed);
    rssPeak = Math.max(rssPeak, now.rss);
  };
  const timer = forcedGcEveryMs
    ? setInterval(() => {
        globalThis.gc();
        sample();
      }, forcedGcEveryMs)
    : setInterval(sample, 5);
  const started = performance.now();
  let result;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  const seconds = (performance.now() - started) / 1000;
  globalThis.gc();
  const after = process.memoryUsage();
  const mib = (value) => Math.round((value / MiB) * 10) / 10;
  return {
    result,
    seconds,
    memory: {
      heapBeforeMiB: mib(before.heapUsed),
      heapPeakMiB: mib(heapPeak),
      heapGrowthMiB: mib(heapPeak - before.heapUsed),
      heapAfterMiB: mib(after.heapUsed),
      rssBeforeMiB: mib(before.rss),
      rssPeakMiB: mib(rssPeak),
      rssAfterMiB: mib(after.rss),
    },
  };
}

/** Downloads `url` to `file` in a separate Node.js process (its memory is not this one's). */
function download(url, key, file) {
  const script = `
    const fs = require('node:fs');
    const { Readable } = require('node:stream');
    const { pipeline } = require('node:stream/promises');
    (async () => {
      const response = await fetch(process.argv[1], { headers: { authorization: 'Bearer ' + process.env.BENCH_KEY } });
      if (response.status !== 200) { console.error(response.status, await response.text()); process.exit(1); }
      await pipeline(Readable.fromWeb(response.body), fs.createWriteStream(process.argv[2]));
    })().catch((error) => { console.error(error); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, url, file], { env: { ...process.env, BENCH_KEY: key }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve('200') : reject(new Error(`the download failed (${code})`))));
  });
}

async function countLines(file) {
  let lines = 0;
  for await (const chunk of fs.createReadStream(file)) for (const byte of chunk) if (byte === 10) lines++;
  return lines;
}

const TYPES = [
  ['auth.sign_in', 'success', (i) => ({ method: 'pwd', amr: ['pwd', 'otp'], sessionId: uuidOf(i, 7) })],
  ['auth.sign_in', 'failure', () => ({ method: 'pwd', reason: 'wrong_password' })],
  ['auth.factor_verified', 'success', () => ({ method: 'totp', purpose: 'sign_in' })],
  ['session.revoked', 'success', (i) => ({ reason: 'signed_out_by_user', count: i % 4 })],
  ['token.revoked', 'success', (i) => ({ kind: 'refresh_token', clientId: `client-${i % 50}` })],
  ['consent.granted', 'success', () => ({ scopes: ['openid', 'profile', 'email', 'offline_access'] })],
  ['client.updated', 'success', (i) => ({
    changes: [
      { field: 'redirectUris', before: [`https://app${i % 50}.example.com/callback`], after: [`https://app${i % 50}.example.com/callback`, `https://app${i % 50}.example.com/cb2`] },
      { field: 'accessTokenTtl', before: 3600, after: 900 },
    ],
  })],
  ['user.updated', 'success', () => ({ changes: [{ field: 'name', before: 'Ada Lovelace', after: 'Ada King' }] })],
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
];

/** A deterministic, realistic event: a mix of sign-ins, token, consent and admin-plane changes. */
function sampleEvent(i) {
  const [type, outcome, details] = TYPES[i % TYPES.length];
  const byKey = type === 'client.updated' && i % 2 === 0;
  return {
    type,
    outcome,
    actorUserId: byKey || type === 'token.revoked' ? null : uuidOf(i % 5000, 1),
    actorApiKeyId: byKey ? uuidOf(i % 10, 2) : null,
    subject: type === 'client.updated' || type === 'consent.granted' ? `client-${i % 50}` : uuidOf(i % 5000, 1),
    details: details(i),
    context: { ip: `198.51.${(i >> 8) % 256}.${i % 256}`, userAgent: AGENTS[i % AGENTS.length], requestId: randomUUID() },
  };
}

function uuidOf(n, kind) {
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

async function embeddedDatabase(dataDir) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve-database', dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the database process exited (${code})`)));
  });
  const { url } = JSON.parse(first);
  return {
    kind: 'embedded (PGlite)',
    url,
    peakRssMiB: () => peakRssMiB(child.pid),
    close: async () => {
      child.stdin.end();
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

async function freshPostgres(serverUrl) {
  const { adminQuery, withDatabase } = await import('../scripts/postgres-admin.mjs');
  await import('../scripts/register-server.mjs');
  const { migrate } = await import('../lib/db/migrate.ts');
  const name = `optare_audit_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = withDatabase(serverUrl, name);
  await migrate(url);
  return { kind: 'postgresql', url, close: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

function peakRssMiB(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg()[0].toFixed(1),
  };
}

function markdown(r) {
  const mb = (bytes) => (bytes / 1e6).toFixed(1);
  const lines = [
    '# Audit export benchmark',
    '',
    `Command: \`npm run bench:audit-export\` (\`node --expose-gc bench/audit-export.mjs\`). ${r.date}.`,
    `Machine: ${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, Node.js ${r.machine.node}, ${r.machine.platform}. Database: ${r.database}. Load average at the start: ${r.machine.loadAverage} (times are wall-clock and move with the machine's load; memory does not).`,
    '',
    `## Filling the log: ${r.events.toLocaleString('en')} events`,
    '',
    `- ${r.recorded.toLocaleString('en')} through \`recordAuditEvent\` (one statement each, advancing the chain head): ${r.recordSeconds.toFixed(1)} s, **${r.recordRate} events/s** (${((r.events / r.recordRate) / 60).toFixed(1)} min for all ${r.events.toLocaleString('en')} at that rate).`,
    `- ${(r.events - r.recorded).toLocaleString('en')} by a bulk insert of ${INSERT_BATCH} rows per statement, the chain computed in JavaScript with the same functions: ${r.bulkSeconds.toFixed(1)} s.`,
    `- Full chain verification (\`verifyAuditChain\`, the console's integrity check): ${r.verifySeconds.toFixed(1)} s for ${r.verification.events.toLocaleString('en')} events, result \`ok: ${r.verification.ok}\`.`,
    '',
    '## Export through `GET /api/admin/v1/audit-events/export`',
    '',
    'The route handler served over loopback HTTP by a node:http adapter that pipes the response stream to the socket (as Next.js does), downloaded to a file by a separate Node.js process. Memory is this (server) process’s, sampled every 5 ms; the baselines follow a full garbage collection.',
    '',
    '| format | size | records | time | heap before | heap peak | **heap growth** | live heap growth | heap after | RSS before | RSS peak | RSS after |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.exports.map((e) => `| ${e.format} | ${mb(e.bytes)} MB | ${e.records.toLocaleString('en')} | ${e.seconds.toFixed(1)} s | ${e.heapBeforeMiB} MiB | ${e.heapPeakMiB} MiB | **${e.heapGrowthMiB} MiB** | ${e.liveHeapGrowthMiB} MiB | ${e.heapAfterMiB} MiB | ${e.rssBeforeMiB} MiB | ${e.rssPeakMiB} MiB | ${e.rssAfterMiB} MiB |`),
    '',
    '*Heap growth*: the highest `heapUsed` during the export minus the collected baseline, garbage not yet collected included (V8 collects the old generation lazily). *Live heap growth*: the same export run again with a full collection before each sample (every 100 ms): what the export keeps alive.',
    '',
    `For contrast, the naive export (every row loaded with one query, then joined into one CSV string of ${(r.naive.chars / 1e6).toFixed(1)} M characters): heap ${r.naive.heapBeforeMiB} → ${r.naive.heapPeakMiB} MiB, **growth ${r.naive.heapGrowthMiB} MiB**, RSS peak ${r.naive.rssPeakMiB} MiB, ${r.naive.seconds.toFixed(1)} s.`,
    '',
    `Target: heap growth under ${HEAP_LIMIT_MIB} MiB while the export is over ${EXPORT_MIN_MB} MB: ${r.exports.every((e) => e.heapGrowthMiB < HEAP_LIMIT_MIB && e.bytes >= EXPORT_MIN_MB * 1e6 && e.records === e.expected) ? '**met**' : '**NOT met**'}.`,
    ...(r.databasePeakRssMiB
      ? ['', `The embedded database runs in its own process, as the server runs it; its peak RSS over the whole run (the bulk load and the naive full read included) was ${r.databasePeakRssMiB} MiB.`]
      : []),
    '',
    'The stream reads 1,000 rows per database query, only when the response wants more (a `ReadableStream` with highWaterMark 0, pulled by the socket), keyset-paged on seq, and encodes them straight into 64 KiB chunks: memory depends on the batch size, not on the number of events. The rows are read with SQL through the driver rather than Prisma’s `findMany`: an earlier run of this benchmark with `findMany` showed about 100 MiB of heap growth (garbage from Prisma’s result mapping, collected late) and a 3–6× slower export.',
    '',
  ];
  return lines.join('\n');
}

// Last, so that every constant above is initialised before it runs.
if (process.argv[2] === '--serve-database') {
  await serveDatabase(process.argv[3]);
} else {
  if (typeof globalThis.gc !== 'function') {
    // Heap figures need a collection before each baseline: run again with --expose-gc.
    const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 1));
  } else {
    await main();
  }
}
