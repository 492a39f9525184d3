// `npm run bench:load`: a bounded load test (LOAD_SECONDS, 30 s by default) on loopback of
// password sign-in (right and wrong passwords, several accounts, the real per-account limits)
// and the token endpoint (client_credentials and refresh-token rotation), all at once, against a
// production server: on the embedded database and, when BENCH_DATABASE_URL (or TEST_DATABASE_URL)
// names a PostgreSQL server, on a fresh database there. Prints req/s, p50/p99, the non-2xx
// answers by status and the errors per scenario, writes bench/LOAD.md, and exits non-zero if any
// request got a 5xx or failed to complete (connection error, reset or timeout). LOAD_ONLY runs
// a subset of the scenarios.
import fs from 'node:fs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { adminQuery as admin, withDatabase } from '../scripts/postgres-admin.mjs';
import { ensureBuild } from '../scripts/ensure-build.mjs';
import { startServer } from './server.mjs';
import { authorize, basic, exchange, PASSWORD, REDIRECT_URI, signUp } from './flow.mjs';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const PORT = 3402;
/** Accounts signing in; every account gets one wrong password in WRONG_EVERY attempts. */
const ACCOUNTS = 20;
const WRONG_EVERY = 5;
/** Connections per scenario: sign-in is bounded by argon2 (19 MiB, 2 passes), the token endpoint by signing. */
const CONNECTIONS = { sign_in: 8, sign_in_guessing: 2, client_credentials: 10, refresh_rotation: 10 };
/** LOAD_ONLY=sign_in,refresh_rotation runs a subset (to see one scenario without the others' load). */
const ONLY = process.env.LOAD_ONLY ? new Set(process.env.LOAD_ONLY.split(',').map((name) => name.trim())) : null;

await ensureBuild();
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const databases = [{ name: 'embedded (PGlite)' }, ...(serverUrl ? [{ name: 'PostgreSQL', serverUrl }] : [])];
const report = { date: new Date().toISOString(), machine: machine(), seconds: SECONDS, runs: [] };

for (const database of databases) {
  let dbName;
  let databaseUrl;
  if (database.serverUrl) {
    dbName = `optare_load_${randomBytes(4).toString('hex')}`;
    await admin(database.serverUrl, `CREATE DATABASE "${dbName}"`);
    databaseUrl = withDatabase(database.serverUrl, dbName);
  }
  const server = await startServer({
    port: PORT,
    databaseUrl,
    env: {
      OPTARE_HOST: '127.0.0.1', // loopback only: the raised limits are never reachable from elsewhere
      BENCH_LOG_LEVEL: undefined,
      LOG_LEVEL: 'warn',
      REDIS_URL: undefined,
      // Every request comes from one address, so the per-address limits are raised (bench/server.mjs);
      // the per-account limits keep their defaults (10 failures per account and address in 15 min,
      // 50 per account in 1 h): the load test runs through them as production would.
      OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT_IP: undefined,
      OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT: undefined,
    },
  });
  try {
    console.log(`\n== ${database.name}: ${SECONDS} s, all scenarios at once ==`);
    const scenarios = await prepare(server);
    const loadAverageBefore = os.loadavg()[0];
    const results = await Promise.all(
      Object.entries(scenarios).filter(([name]) => !ONLY || ONLY.has(name)).map(async ([name, options]) => [
        name,
        await autocannon({ url: server.base, duration: SECONDS, connections: CONNECTIONS[name], ...options }),
      ]),
    );
    const run = { database: database.name, loadAverageBefore, scenarios: results.map(([name, result]) => summarize(name, result)) };
    report.runs.push(run);
    for (const row of run.scenarios) console.log(line(row));
  } finally {
    await server.stop();
    if (dbName) await admin(database.serverUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  }
}

if (ONLY) {
  console.log('\nA subset of the scenarios ran (LOAD_ONLY): bench/LOAD.md is left as it was.');
} else {
  fs.writeFileSync('bench/LOAD.md', markdown(report));
  console.log('\nWrote bench/LOAD.md');
}
const failures = report.runs.flatMap((run) => run.scenarios.filter(failed).map((row) => `${run.database} ${row.scenario}`));
if (failures.length > 0) {
  console.error(`\nFAILED: 5xx answers or failed requests in ${failures.join(', ')}`);
  process.exit(1);
}
console.log('No 5xx answers and no failed requests.');

/** Accounts, clients and refresh tokens, made through Optare's real flows and CLI. */
async function prepare(server) {
  const suffix = randomBytes(4).toString('hex');
  const accounts = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const email = `load-${suffix}-${i}@example.com`;
    await signUp(server.base, email);
    accounts.push(email);
  }
  const victim = `load-${suffix}-guessed@example.com`;
  await signUp(server.base, victim);

  const m2m = server.cli(['client', 'create', '--name', 'load-m2m', '--redirect-uri', REDIRECT_URI, '--grant', 'client_credentials', '--scope', 'profile']);
  const app = server.cli([
    'client', 'create', '--name', 'load-app', '--redirect-uri', REDIRECT_URI, '--first-party',
    '--grant', 'authorization_code', '--grant', 'refresh_token', '--scope', 'openid', '--scope', 'offline_access',
  ]);
  const appClient = { id: app.clientId, secret: app.clientSecret };
  const cookie = await signUp(server.base, `load-${suffix}-app@example.com`);
  // Live refresh tokens, two per connection: a request takes one, its 200 puts the successor back.
  const refreshPool = [];
  for (let i = 0; i < 2 * CONNECTIONS.refresh_rotation; i++) {
    refreshPool.push((await exchange(server.base, appClient, await authorize(server.base, appClient.id, cookie, 'openid offline_access'))).refresh_token);
  }

  const json = { 'content-type': 'application/json' };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  let attempt = 0;
  let guess = 0;
  return {
    // Round-robin over the accounts; one attempt in WRONG_EVERY on each has a wrong password.
    sign_in: {
      requests: [{
        method: 'POST', path: '/api/auth/sign-in', headers: json,
        setupRequest(request) {
          const n = attempt++;
          // Shifted by one each round, so every account gets its wrong attempt, one in WRONG_EVERY overall.
          const wrong = (n + Math.floor(n / ACCOUNTS)) % WRONG_EVERY === 0;
          return { ...request, body: JSON.stringify({ email: accounts[n % ACCOUNTS], password: wrong ? `${PASSWORD} but wrong` : PASSWORD }) };
        },
      }],
    },
    // Someone guessing one account's password: 401 until the per-account limit, then 429.
    sign_in_guessing: {
      requests: [{
        method: 'POST', path: '/api/auth/sign-in', headers: json,
        setupRequest(request) {
          return { ...request, body: JSON.stringify({ email: victim, password: `guess number ${guess++}` }) };
        },
      }],
    },
    client_credentials: {
      requests: [{
        method: 'POST', path: '/oauth/token',
        headers: { ...form, authorization: basic(m2m.clientId, m2m.clientSecret) },
        body: 'grant_type=client_credentials&scope=profile',
      }],
    },
    refresh_rotation: {
      requests: [{
        method: 'POST', path: '/oauth/token',
        headers: { ...form, authorization: basic(appClient.id, appClient.secret) },
        setupRequest(request) {
          return { ...request, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshPool.shift() ?? '' }).toString() };
        },
        onResponse(status, body) {
          if (status === 200) refreshPool.push(JSON.parse(body).refresh_token);
        },
      }],
    },
  };
}

function summarize(scenario, result) {
  const byStatus = Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]));
  const non2xx = Object.fromEntries(Object.entries(byStatus).filter(([status]) => !status.startsWith('2')));
  return {
    scenario,
    connections: CONNECTIONS[scenario],
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx,
    status5xx: result['5xx'],
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
  };
}

function failed(row) {
  return row.status5xx > 0 || row.errors > 0 || row.timeouts > 0 || row.resets > 0;
}

function statuses(non2xx) {
  const entries = Object.entries(non2xx);
  return entries.length === 0 ? 'none' : entries.map(([status, count]) => `${status}: ${count}`).join(', ');
}

function line(row) {
  return `${row.scenario.padEnd(18)} ${String(row.rps).padStart(6)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  ` +
    `non-2xx ${statuses(row.non2xx)}  errors ${row.errors}  timeouts ${row.timeouts}${failed(row) ? '  <- FAILED' : ''}`;
}

function markdown({ date, machine: m, seconds, runs }) {
  const lines = [
    '# Load test',
    '',
    `Command: \`TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:load\` (bench/load.mjs). ${date}.`,
    `Machine: ${m.cpus} × ${m.cpu}, ${m.memoryGiB} GiB, Node.js ${m.node}, ${m.platform}. The load generator (autocannon) runs on the same machine.`,
    '',
    `All four scenarios run at the same time for ${seconds} s against one production server on 127.0.0.1, with the rate limits on:`,
    'the per-address limits are raised (every request comes from one address), the per-account limits keep their defaults.',
    '',
    `- **sign_in**: ${ACCOUNTS} accounts in turn, every ${WRONG_EVERY}th attempt on each with a wrong password (401).`,
    '- **sign_in_guessing**: wrong passwords for one account: 401 until its limit (10 per address in 15 min), then 429.',
    '- **client_credentials**: `POST /oauth/token`, one confidential client.',
    '- **refresh_rotation**: `POST /oauth/token` with `grant_type=refresh_token`, each answer\'s new token used next.',
    '',
    'Pass condition: no 5xx answer and no failed request (connection error, reset or timeout).',
    '',
    'Each connection sends its next request as soon as the last one is answered, so the scenarios',
    'compete for the same two cores: the requests that need no database (client_credentials with',
    'its client and key cached, and the 429s of the guessing scenario) are answered fastest and take',
    'most of the capacity. The embedded database runs inside the server process, on its event loop,',
    'so there the database-bound flows (sign-in, refresh rotation) slow down far more under this mix',
    'than on PostgreSQL. `LOAD_ONLY=sign_in npm run bench:load` runs one scenario alone, for',
    'comparison (it prints its results and leaves this file as it is).',
    '',
  ];
  for (const run of runs) {
    lines.push(
      `## ${run.database}`,
      '',
      `1-minute load average of the machine before the run: ${run.loadAverageBefore.toFixed(2)}.`,
      '',
      '| scenario | connections | requests | req/s | p50 ms | p99 ms | non-2xx by status | errors | timeouts |',
      '|---|---:|---:|---:|---:|---:|---|---:|---:|',
      ...run.scenarios.map((r) => `| ${r.scenario} | ${r.connections} | ${r.requests} | ${r.rps} | ${r.p50} | ${r.p99} | ${statuses(r.non2xx)} | ${r.errors} | ${r.timeouts} |`),
      '',
    );
  }
  return lines.join('\n');
}

function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpu: cpus[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
}
