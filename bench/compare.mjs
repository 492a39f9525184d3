// `npm run bench:compare`: Optare side by side with node-oidc-provider (the peer,
// bench/peers/oidc-provider-server.mjs), both on PostgreSQL (a fresh database each), both on this
// Node.js, on loopback. Every scenario runs against both servers in turn, A, B, A, B (ROUNDS
// rounds, at least 2), after an untimed warm-up of each; autocannon keeps CONNECTIONS requests in
// flight. Prints, per scenario and server, requests/s, p50 and p99 latency, non-2xx answers and
// errors, the server's CPU time per request (steadier than requests/s on a busy machine), and the
// Optare/peer ratio; then each server's peak RSS. Measures the machine's RS256 signing rate in the
// same run and prints each server's token issuance as a share of it. Writes
// bench/compare-results.json and bench/COMPARE.md.
//
// Settings (environment): BENCH_SECONDS (10) per timed run, BENCH_ROUNDS (2), BENCH_CONNECTIONS
// (32), BENCH_WARMUP_SECONDS (2), BENCH_ONLY=a,b (a subset of the scenarios: printed only, the
// result files are left as they are), BENCH_DATABASE_URL (or TEST_DATABASE_URL; default
// postgresql://postgres@127.0.0.1:5432/postgres), BENCH_NODE_ARGS (flags for Optare's process,
// e.g. --cpu-prof), BENCH_PEER_NODE_ARGS (the same for the peer), BENCH_LOG_LEVEL (Optare's log
// level, info by default as in production), BENCH_QUERIES=1 (after each scenario's timed rounds,
// count the SQL statements per request on both servers: a pg hook, bench/peers/count-queries.mjs,
// is preloaded into both, and a few requests are sent one at a time), BENCH_TRACE=1 (each run's
// latencies by half second, and the load generator's GC pauses: bench/run-trace.mjs). OPTARE_SKIP_BUILD=1 with OPTARE_NEXT_DIST_DIR runs a
// build made beforehand in another directory; otherwise the standard .next build is made when
// the sources changed (scripts/ensure-build.mjs), as `npm run bench` does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { adminQuery as admin, withDatabase } from '../scripts/postgres-admin.mjs';
import { ensureBuild } from '../scripts/ensure-build.mjs';
import { CEILING_LEGEND, ceilingLine, measureCeiling, percentOf } from './ceiling.mjs';
import { cpuMs } from './proc-cpu.mjs';
import { peakRssMiB, startServer } from './server.mjs';
import { quantile, traceRun } from './run-trace.mjs';
import { basic, PASSWORD, REDIRECT_URI, signUp } from './flow.mjs';
import { appClientArgs, CookieJar, exchangeCode, optareCode, peerCode, SCOPE } from './peers/flows.mjs';
import { addUser } from './peers/users.mjs';

const env = process.env;
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(env.BENCH_SECONDS ?? 10);
const ROUNDS = Math.max(2, Number(env.BENCH_ROUNDS ?? 2));
const WARMUP_SECONDS = Number(env.BENCH_WARMUP_SECONDS ?? 2);
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',').map((name) => name.trim())) : null;
const SERVER_URL = env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const OPTARE_PORT = 3410;
const PEER_PORT = 3411;
/**
 * Codes are prepared before each timed code-exchange run, for at most this long, and the run
 * lasts at most CODE_RUN_SECONDS: codes live 60 s on both servers.
 */
const CODE_PREPARATION_MS = 25_000;
const CODE_RUN_SECONDS = 30;
/**
 * Codes asked for per second of a code-exchange run: more than either server exchanges on a
 * 2-core machine (Optare about 1,300/s), so the run lasts its full time rather than ending when
 * the codes run out (at 200/s, as before, a run of Optare's lasted about 1.5 s, and its p99 was
 * mostly the first burst of 32 new connections).
 */
const CODES_PER_SECOND = 1_500;
/** Live refresh tokens kept per server: more than the connections, since a run cut short loses some. */
const REFRESH_POOL = 3 * CONNECTIONS;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** The command as typed (before the settings below add to the environment). */
const COMMAND = commandLine();
/** BENCH_QUERIES=1: where the servers' query counts are written (bench/peers/count-queries.mjs). */
const QUERY_DIR = env.BENCH_QUERIES === '1' ? fs.mkdtempSync(path.join(os.tmpdir(), 'optare-compare-queries-')) : null;
const QUERY_SAMPLE = 40;
if (QUERY_DIR) {
  const hook = `--import ${pathToFileURL(path.resolve('bench/peers/count-queries.mjs')).href}`;
  env.BENCH_QUERY_DIR = QUERY_DIR;
  // bench/server.mjs reads BENCH_NODE_ARGS when it starts Optare.
  env.BENCH_NODE_ARGS = [env.BENCH_NODE_ARGS, hook].filter(Boolean).join(' ');
  env.BENCH_PEER_NODE_ARGS = [env.BENCH_PEER_NODE_ARGS, hook].filter(Boolean).join(' ');
}

/**
 * The goals of issue 8, as Optare/peer requests/s ratios. Round trips are bounded by argon2 on
 * both sides (the same library and parameters), so no ratio is asked of them.
 */
const GOALS = {
  client_credentials: 1.0,
  code_exchange: 1.5,
  refresh_rotation: 1.5,
  introspection: 1.5,
  userinfo: 1.5,
  jwks: 1.5,
  discovery: 1.5,
};
/**
 * The API a user's authorization names (RFC 8707) in the code_exchange and refresh_rotation
 * scenarios, so that both servers issue the access token as an RS256 JWT (issue 8: "JWT access
 * tokens (RFC 9068 resource-indicator format …)"). Without it oidc-provider's is an opaque row,
 * the one it accepts at userinfo: the *_userinfo scenarios measure that case.
 */
const API_RESOURCE = 'https://api.bench.example/';
/** The per-client signing algorithms measured besides RS256 (issue 8: "show the figure"). */
const OTHER_ALGS = ['ES256', 'EdDSA'];
const P99_GOAL_MS = 50;
const RSS_GOAL_MIB = 300;

// `node bench/compare.mjs --render`: writes bench/COMPARE.md again from bench/compare-results.json.
if (process.argv.includes('--render')) {
  fs.writeFileSync('bench/COMPARE.md', markdown(JSON.parse(fs.readFileSync('bench/compare-results.json', 'utf8'))));
  console.log('Wrote bench/COMPARE.md from bench/compare-results.json');
  process.exit(0);
}

if (env.OPTARE_NEXT_DIST_DIR && env.OPTARE_SKIP_BUILD !== '1') {
  console.error('OPTARE_NEXT_DIST_DIR names a build made beforehand: set OPTARE_SKIP_BUILD=1 too (this harness builds only the standard .next).');
  process.exit(2);
}
await ensureBuild();

const scenarios = defineScenarios().filter((scenario) => !ONLY || ONLY.has(scenario.name));
if (scenarios.length === 0) {
  console.error(`BENCH_ONLY names no scenario; there are: ${defineScenarios().map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const results = {
  date: new Date().toISOString(),
  command: COMMAND,
  machine: machine(),
  versions: versions(),
  settings: { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, warmupSeconds: WARMUP_SECONDS, subset: ONLY ? [...ONLY] : null },
  loadAverage: { before: os.loadavg().map(round2) },
  ceiling: null,
  scenarios: [],
  rss: {},
};

console.log('Measuring the RS256 signing ceiling…');
results.ceiling = await measureCeiling();
console.log(ceilingLine(results.ceiling));

const databases = [];
const stops = [];
let failed = false;
/** Stops what was started, last first (the servers, then their databases); each step once. */
async function cleanUp() {
  while (stops.length > 0) await stops.pop()().catch((error) => console.error('cleanup:', error.message));
}
process.once('SIGINT', async () => {
  console.error('\nInterrupted: stopping the servers and dropping the databases…');
  await cleanUp();
  process.exit(130);
});
try {
  const [optare, peer] = await startBoth();
  results.versions.postgresql = await postgresVersion(databases[0].url);
  results.rssAtStart = { optare: rssMiB(optare.pid), peer: rssMiB(peer.pid) };
  console.log(`\nOptare at ${optare.base} (pid ${optare.pid}), oidc-provider at ${peer.base} (pid ${peer.pid})`);
  console.log(`${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds (A, B, A, B…), ${WARMUP_SECONDS} s warm-up each\n`);
  for (const scenario of scenarios) {
    const row = { name: scenario.name, description: scenario.description, optare: { runs: [] }, peer: { runs: [] } };
    for (const target of [optare, peer]) {
      if (WARMUP_SECONDS > 0) await measure(scenario, target, WARMUP_SECONDS);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of [optare, peer]) {
        const run = await measure(scenario, target, SECONDS);
        assertRunning(target);
        row[target.name].runs.push(run);
        const short = run.seconds < 0.9 * SECONDS ? `  (${run.seconds} s: the prepared codes ran out)` : '';
        console.log(`${scenario.name.padEnd(18)} round ${round + 1} ${target.label.padEnd(13)} ${String(run.rps).padStart(7)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  non-2xx ${run.non2xx}  errors ${run.errors}  CPU ${run.cpuUsPerRequest ?? '?'} µs/req (main thread ${run.mainCpuUsPerRequest ?? '?'})${short}`);
      }
    }
    summarize(row, scenario);
    // Peak so far, so the table shows which scenario (its runs or the codes and tokens made for them) raised it.
    row.optare.peakRssMiB = peakRssMiB(optare.pid);
    row.peer.peakRssMiB = peakRssMiB(peer.pid);
    if (QUERY_DIR) {
      for (const target of [optare, peer]) {
        Object.assign(row[target.name], await countQueries(scenario, target));
        console.log(`${scenario.name.padEnd(18)} ${target.label.padEnd(13)} ${row[target.name].queriesPerRequest} SQL statements per request`);
      }
    }
    results.scenarios.push(row);
    console.log(
      `${scenario.name.padEnd(18)} Optare/peer ${row.ratio}× (rounds ${row.roundRatios.join(', ')})` +
        (row.goal ? `, goal ≥ ${row.goal}×: ${row.ratio >= row.goal ? 'met' : 'missed'}` : '') +
        (row.optare.percentOfCeiling !== undefined ? `; signing ceiling used (one thread; all cores): Optare ${row.optare.percentOfCeiling}%; ${row.optare.percentOfAllCores}%, peer ${row.peer.percentOfCeiling}%; ${row.peer.percentOfAllCores}%` : '') +
        `; peak RSS so far: Optare ${row.optare.peakRssMiB} MiB, peer ${row.peer.peakRssMiB} MiB\n`,
    );
  }
  results.rss = { optare: peakRssMiB(optare.pid), peer: peakRssMiB(peer.pid) };
  console.log(
    `Peak RSS: Optare ${results.rss.optare} MiB, oidc-provider ${results.rss.peer} MiB (goal for Optare < ${RSS_GOAL_MIB} MiB); ` +
      `after start-up and set-up, before the first scenario: Optare ${results.rssAtStart.optare} MiB, oidc-provider ${results.rssAtStart.peer} MiB`,
  );
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await cleanUp();
}
results.loadAverage.after = os.loadavg().map(round2);
if (QUERY_DIR) fs.rmSync(QUERY_DIR, { recursive: true, force: true });
if (failed) process.exit(1);
if (ONLY) {
  console.log('\nA subset of the scenarios ran (BENCH_ONLY): bench/COMPARE.md and bench/compare-results.json are left as they were.');
  process.exit(0);
}

fs.writeFileSync('bench/compare-results.json', `${JSON.stringify(results, null, 2)}\n`);
fs.writeFileSync('bench/COMPARE.md', markdown(results));
console.log('\nWrote bench/compare-results.json and bench/COMPARE.md');

// ---------------------------------------------------------------------------------------------

/** Fresh databases, the same clients and user on both servers, and the two servers started. */
async function startBoth() {
  const suffix = randomBytes(4).toString('hex');
  for (const who of ['optare', 'peer']) {
    const name = `optare_compare_${who}_${suffix}`;
    await admin(SERVER_URL, `CREATE DATABASE "${name}"`);
    const database = { name, url: withDatabase(SERVER_URL, name) };
    databases.push(database);
    stops.push(() => admin(SERVER_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }

  const issuer = `http://127.0.0.1:${OPTARE_PORT}`;
  const server = await startServer({
    port: OPTARE_PORT,
    databaseUrl: databases[0].url,
    env: { OPTARE_HOST: '127.0.0.1', OPTARE_ISSUER: issuer, REDIS_URL: undefined },
  });
  stops.push(() => server.stop());

  // The clients are made through Optare's CLI; the peer gets the same ids, secrets and settings.
  const m2mClient = (name, extra = []) =>
    server.cli(['client', 'create', '--name', name, '--redirect-uri', REDIRECT_URI, '--grant', 'client_credentials', '--scope', 'profile', ...extra]);
  const m2m = m2mClient('compare-m2m');
  // The same machine-to-machine client with its access tokens signed by an ES256 or an EdDSA key.
  const m2mByAlg = Object.fromEntries(
    OTHER_ALGS.map((alg) => {
      const created = m2mClient(`compare-m2m-${alg.toLowerCase()}`, ['--access-token-alg', alg]);
      return [alg, { id: created.clientId, secret: created.clientSecret }];
    }),
  );
  const app = server.cli(appClientArgs('compare-app', ['--resource', API_RESOURCE]));
  const clients = {
    m2m: { id: m2m.clientId, secret: m2m.clientSecret },
    app: { id: app.clientId, secret: app.clientSecret },
    m2mByAlg,
  };
  const email = `compare-${suffix}@example.com`;
  await signUp(server.base, email);

  const peerPool = new pg.Pool({ connectionString: databases[1].url, max: 1 });
  try {
    await addUser(peerPool, { email, name: 'Bench', password: PASSWORD });
  } finally {
    await peerPool.end();
  }
  const peerServer = await startPeer(databases[1].url, [
    { client_id: clients.m2m.id, client_secret: clients.m2m.secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'profile' },
    ...Object.entries(m2mByAlg).map(([alg, client]) => ({
      client_id: client.id, client_secret: client.secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'profile',
      bench_access_token_alg: alg, // ACCESS_TOKEN_ALG_FIELD of bench/peers/oidc-provider-server.mjs
    })),
    { client_id: clients.app.id, client_secret: clients.app.secret, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: [REDIRECT_URI], scope: SCOPE },
  ]);
  stops.push(() => peerServer.stop());

  const peerPaths = await pathsFromDiscovery(peerServer.base);
  const optare = {
    name: 'optare',
    label: 'Optare',
    base: server.base,
    pid: server.pid,
    process: server,
    clients,
    paths: { discovery: '/.well-known/openid-configuration', jwks: '/oauth/jwks', token: '/oauth/token', introspect: '/oauth/introspect', userinfo: '/oauth/userinfo' },
    code: (jar, resource) => optareCode(server.base, { clientId: clients.app.id, email, password: PASSWORD, jar, resource }),
  };
  const peer = {
    name: 'peer',
    label: 'oidc-provider',
    base: peerServer.base,
    pid: peerServer.pid,
    process: peerServer,
    clients,
    paths: peerPaths,
    code: (jar, resource) => peerCode(peerServer.base, { clientId: clients.app.id, email, password: PASSWORD, jar, resource }),
  };
  for (const target of [optare, peer]) {
    target.jars = [];
    // Live refresh tokens, by the API their grant names ('' for none).
    target.refreshPools = { [API_RESOURCE]: [], '': [] };
    // A user's token for introspection and userinfo, from a chain of its own.
    const tokens = await exchangeCode(target.base, target.paths.token, clients.app, await target.code(new CookieJar()));
    target.userToken = tokens.access_token;
    const forApi = await exchangeCode(target.base, target.paths.token, clients.app, await target.code(new CookieJar(), API_RESOURCE));
    results.tokenShapes = { ...results.tokenShapes, [target.name]: { api: describeTokens(forApi), userinfo: describeTokens(tokens) } };
    console.log(`${target.label}: a code exchange returns ${results.tokenShapes[target.name].api} for the API; without it, ${results.tokenShapes[target.name].userinfo}`);
  }
  return [optare, peer];
}

async function startPeer(databaseUrl, clients) {
  const base = `http://127.0.0.1:${PEER_PORT}`;
  const args = [...(env.BENCH_PEER_NODE_ARGS ? env.BENCH_PEER_NODE_ARGS.split(' ') : []), 'bench/peers/oidc-provider-server.mjs'];
  const child = spawn(process.execPath, args, {
    env: { ...env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(PEER_PORT), DATABASE_URL: databaseUrl, PEER_CLIENTS: JSON.stringify(clients) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the peer exited: ${stderr}`);
    try {
      if ((await fetch(`${base}/.well-known/openid-configuration`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the peer did not become ready: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    base,
    pid: child.pid,
    get exitStatus() {
      if (child.exitCode !== null) return `exit code ${child.exitCode}`;
      return child.signalCode !== null ? `signal ${child.signalCode}` : null;
    },
    get stderr() {
      return stderr;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function pathsFromDiscovery(base) {
  const metadata = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
  const path = (url) => new URL(url).pathname;
  return {
    discovery: '/.well-known/openid-configuration',
    jwks: path(metadata.jwks_uri),
    token: path(metadata.token_endpoint),
    introspect: path(metadata.introspection_endpoint),
    userinfo: path(metadata.userinfo_endpoint),
  };
}

function defineScenarios() {
  const get = (path) => ({ requests: [{ method: 'GET', path }] });
  return [
    { name: 'discovery', description: 'GET the OpenID Provider metadata', setup: (t) => get(t.paths.discovery) },
    { name: 'jwks', description: 'GET the JWKS', setup: (t) => get(t.paths.jwks) },
    {
      name: 'client_credentials',
      description: 'POST /token, grant_type=client_credentials, scope=profile, client_secret_basic: one RS256 JWT access token',
      setup: (t) => ({
        requests: [{
          method: 'POST', path: t.paths.token,
          headers: { ...FORM, authorization: basic(t.clients.m2m.id, t.clients.m2m.secret) },
          body: 'grant_type=client_credentials&scope=profile',
        }],
      }),
    },
    ...OTHER_ALGS.map((alg) => ({
      name: `client_credentials_${alg.toLowerCase()}`,
      description: `As client_credentials, for a client whose access tokens are signed with ${alg} (both servers)`,
      setup: (t) => ({
        requests: [{
          method: 'POST', path: t.paths.token,
          headers: { ...FORM, authorization: basic(t.clients.m2mByAlg[alg].id, t.clients.m2mByAlg[alg].secret) },
          body: 'grant_type=client_credentials&scope=profile',
        }],
      }),
    })),
    ...[API_RESOURCE, ''].flatMap((resource) => {
      const suffix = resource ? '' : '_userinfo';
      const audience = resource ? `for the API ${resource} (RFC 8707 resource): an RS256 JWT access token on both servers` : 'without a resource: the userinfo access token, an RS256 JWT on Optare, opaque on the peer';
      return [
        {
          name: `code_exchange${suffix}`,
          description: `POST /token, grant_type=authorization_code with PKCE, each request a fresh code made before the timed part through the server's real flow, ${audience}`,
          async setup(t, seconds) {
            const codes = await prepareCodes(t, Math.max(2 * CONNECTIONS, Math.ceil(CODES_PER_SECOND * seconds)), resource);
            return {
              amount: codes.length,
              connections: Math.min(CONNECTIONS, codes.length),
              requests: [{
                method: 'POST', path: t.paths.token,
                headers: { ...FORM, authorization: basic(t.clients.app.id, t.clients.app.secret) },
                setupRequest(request) {
                  const code = codes.pop() ?? { code: 'none-left', verifier: 'none-left'.padEnd(43, '-') };
                  return { ...request, body: tokenForm({ grant_type: 'authorization_code', code: code.code, redirect_uri: REDIRECT_URI, code_verifier: code.verifier }, resource) };
                },
              }],
            };
          },
        },
        {
          name: `refresh_rotation${suffix}`,
          description: `POST /token, grant_type=refresh_token, each request a live refresh token (its answer's successor goes back into the pool), ${audience}`,
          async setup(t) {
            await topUpRefreshPool(t, resource);
            const pool = t.refreshPools[resource];
            return {
              requests: [{
                method: 'POST', path: t.paths.token,
                headers: { ...FORM, authorization: basic(t.clients.app.id, t.clients.app.secret) },
                setupRequest(request) {
                  return { ...request, body: tokenForm({ grant_type: 'refresh_token', refresh_token: pool.shift() ?? 'none-left' }, resource) };
                },
                onResponse(status, body) {
                  if (status === 200) pool.push(JSON.parse(body).refresh_token);
                },
              }],
            };
          },
        },
      ];
    }),
    {
      name: 'introspection',
      description: 'POST introspection of the user\'s access token by its client (client_secret_basic)',
      setup: (t) => ({
        requests: [{
          method: 'POST', path: t.paths.introspect,
          headers: { ...FORM, authorization: basic(t.clients.app.id, t.clients.app.secret) },
          body: new URLSearchParams({ token: t.userToken }).toString(),
        }],
      }),
    },
    {
      name: 'userinfo',
      description: 'GET userinfo with the user\'s access token',
      setup: (t) => ({ requests: [{ method: 'GET', path: t.paths.userinfo, headers: { authorization: `Bearer ${t.userToken}` } }] }),
    },
    {
      name: 'round_trip',
      description: 'a whole browserless code flow per iteration, from a new browser: authorize, sign in (argon2id), consent, code exchange',
      flows: true,
    },
  ];
}

/** Throws if the server has stopped (crashed, or was killed from outside), with what it said. */
function assertRunning(target) {
  const status = target.process.exitStatus;
  if (status !== null) {
    throw new Error(`${target.label} (pid ${target.pid}) stopped during the run (${status}); its last words on stderr:\n${target.process.stderr.slice(-2000)}`);
  }
}

/** One timed (or warm-up) run of a scenario against one server. */
async function measure(scenario, target, seconds) {
  assertRunning(target);
  if (scenario.flows) return measureRoundTrips(target, seconds);
  const options = await scenario.setup(target, seconds);
  // A run over a fixed number of requests (`amount`) ends at its last answer, but autocannon
  // reports its duration in whole sampling intervals: time it from the answers instead.
  let lastAnswer = 0;
  options.requests = options.requests.map((request) => ({
    ...request,
    onResponse(...args) {
      lastAnswer = performance.now();
      request.onResponse?.(...args);
    },
  }));
  const cpuBefore = processCpu(target.pid);
  const started = performance.now();
  const job = autocannon({ url: target.base, connections: CONNECTIONS, duration: seconds, ...options });
  const trace = env.BENCH_TRACE === '1' ? traceRun(job, started) : null;
  // With `amount` autocannon ignores the duration: stop it at the same time anyway (and before
  // the prepared codes could expire).
  const timer = options.amount ? setTimeout(() => job.stop(), Math.min(seconds, CODE_RUN_SECONDS) * 1000) : null;
  const result = await job;
  if (timer) clearTimeout(timer);
  const cpuAfter = processCpu(target.pid);
  if (trace) console.log([`${scenario.name}, ${target.label}, by half second:`, ...trace.report()].join('\n'));
  const requests = result.requests.total;
  const elapsed = options.amount && lastAnswer > started ? (lastAnswer - started) / 1000 : result.duration;
  return {
    rps: Math.round(requests / elapsed),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests,
    seconds: round2(elapsed),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count])),
    ...cpuPerRequest(cpuBefore, cpuAfter, requests),
  };
}

/** CONNECTIONS browsers, each running whole flows back to back (each a new browser) for `seconds`. */
async function measureRoundTrips(target, seconds) {
  const latencies = [];
  let errors = 0;
  let firstError = null;
  const cpuBefore = processCpu(target.pid);
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const tokens = await exchangeCode(target.base, target.paths.token, target.clients.app, await target.code(new CookieJar()));
        if (!tokens.id_token || !tokens.refresh_token) throw new Error(`the round trip ended without an ID token and a refresh token: ${describeTokens(tokens)}`);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = processCpu(target.pid);
  if (firstError) console.error(`${target.label} round trip: ${errors} failed, the first with: ${firstError.message}`);
  latencies.sort((a, b) => a - b);
  return {
    rps: round2(latencies.length / elapsed),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    requests: latencies.length,
    seconds: round2(elapsed),
    non2xx: 0,
    errors,
    ...cpuPerRequest(cpuBefore, cpuAfter, latencies.length),
  };
}

/**
 * The SQL statements per request of a scenario on one server, from QUERY_SAMPLE requests sent
 * one at a time (5 whole flows for the round trip), by statement.
 */
async function countQueries(scenario, target) {
  let requests;
  if (scenario.flows) {
    await queryCounts(target);
    requests = 5;
    for (let i = 0; i < requests; i++) {
      await exchangeCode(target.base, target.paths.token, target.clients.app, await target.code(new CookieJar()));
    }
  } else {
    const options = await scenario.setup(target, QUERY_SAMPLE / 200);
    await queryCounts(target);
    const result = await autocannon({ url: target.base, ...options, connections: 1, amount: Math.min(QUERY_SAMPLE, options.amount ?? QUERY_SAMPLE) });
    requests = result.requests.total;
  }
  const counts = await queryCounts(target);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const statements = Object.fromEntries(
    Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([sql, n]) => [sql, round2(n / requests)]),
  );
  return { queriesPerRequest: round2(total / requests), statements };
}

/** Asks a server for its SQL statement counts since the last call (and resets them). */
async function queryCounts(target) {
  assertRunning(target);
  target.queryDumps = (target.queryDumps ?? 0) + 1;
  const file = path.join(QUERY_DIR, `${target.pid}-${target.queryDumps}.json`);
  process.kill(target.pid, 'SIGUSR2');
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${target.label} wrote no query counts (${file})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * Codes for one code-exchange run, made through the server's real flow (authorize, consent;
 * each of 8 workers signs in once, with its own browser) until `max` or the preparation time.
 * A server that makes fewer than its run needs has a shorter run, which its line says.
 */
async function prepareCodes(target, max, resource) {
  const codes = [];
  const deadline = Date.now() + CODE_PREPARATION_MS;
  let wanted = max;
  await Promise.all(Array.from({ length: 8 }, async (_, worker) => {
    target.jars[worker] ??= new CookieJar();
    while (wanted > 0 && Date.now() < deadline) {
      wanted--;
      codes.push(await target.code(target.jars[worker], resource));
    }
  }));
  return codes;
}

/** Brings a pool of live refresh tokens (of grants naming `resource`, or none) back to REFRESH_POOL (a run cut short loses some). */
async function topUpRefreshPool(target, resource) {
  const pool = target.refreshPools[resource];
  const missing = REFRESH_POOL - pool.length;
  await Promise.all(Array.from({ length: Math.min(8, Math.max(0, missing)) }, async (_, worker) => {
    target.jars[worker] ??= new CookieJar();
    while (pool.length < REFRESH_POOL) {
      const tokens = await exchangeCode(target.base, target.paths.token, target.clients.app, await target.code(target.jars[worker], resource));
      pool.push(tokens.refresh_token);
    }
  }));
}

/** A token request's form body, naming the API (RFC 8707) when there is one. */
function tokenForm(params, resource) {
  return new URLSearchParams({ ...params, ...(resource ? { resource } : {}) }).toString();
}

function summarize(row, scenario) {
  for (const who of ['optare', 'peer']) {
    const { runs } = row[who];
    const rps = mean(runs.map((r) => r.rps));
    row[who].rps = rps >= 100 ? Math.round(rps) : round2(rps);
    row[who].p50 = Math.round(10 * mean(runs.map((r) => r.p50))) / 10;
    row[who].p99 = Math.max(...runs.map((r) => r.p99));
    row[who].non2xx = runs.reduce((sum, r) => sum + r.non2xx, 0);
    row[who].errors = runs.reduce((sum, r) => sum + r.errors, 0);
    for (const key of ['cpuUsPerRequest', 'mainCpuUsPerRequest']) {
      const cpu = runs.map((r) => r[key]).filter((value) => value !== null);
      row[who][key] = cpu.length ? Math.round(mean(cpu)) : null;
    }
  }
  row.ratio = round2(row.optare.rps / row.peer.rps);
  row.roundRatios = row.optare.runs.map((run, i) => round2(run.rps / row.peer.runs[i].rps));
  row.cpuRatio = row.optare.cpuUsPerRequest && row.peer.cpuUsPerRequest ? round2(row.peer.cpuUsPerRequest / row.optare.cpuUsPerRequest) : null;
  row.goal = GOALS[scenario.name] ?? null;
  const optareSignatures = optareSignaturesFor(scenario.name);
  if (optareSignatures) {
    row.optare.signaturesPerResponse = optareSignatures;
    row.peer.signaturesPerResponse = peerSignaturesFor(scenario.name);
    for (const who of ['optare', 'peer']) {
      row[who].percentOfCeiling = percentOf(results.ceiling.nodeCrypto, row[who].rps, row[who].signaturesPerResponse);
      row[who].percentOfAllCores = percentOf(results.ceiling.webCrypto, row[who].rps, row[who].signaturesPerResponse);
    }
  }
}

/** Issue 8's "show the figure": each per-client algorithm's client_credentials rate against RS256's, same run. */
function algorithmFigures(rows) {
  const rs256 = rows.find((row) => row.name === 'client_credentials');
  const others = rows.filter((row) => row.name.startsWith('client_credentials_'));
  if (!rs256 || others.length === 0) return [];
  const times = (row, who) => `${round2(row[who].rps / rs256[who].rps)}×`;
  return [
    '',
    'Per-client signing algorithms, client_credentials requests/s against the RS256 client in the same run: ' +
      others.map((row) => `${OTHER_ALGS.find((alg) => row.name.endsWith(alg.toLowerCase())) ?? row.name} Optare ${times(row, 'optare')}, oidc-provider ${times(row, 'peer')}`).join('; ') +
      '.',
  ];
}

/** RS256 signatures per response: the access token, and the ID token when one is issued. */
function optareSignaturesFor(name) {
  return { client_credentials: 1, code_exchange: 2, refresh_rotation: 2, code_exchange_userinfo: 2, refresh_rotation_userinfo: 2, round_trip: 2 }[name];
}

/** The peer's userinfo access token is opaque (bench/peers/oidc-provider-server.mjs): then only the ID token is signed. */
function peerSignaturesFor(name) {
  return { client_credentials: 1, code_exchange: 2, refresh_rotation: 2, code_exchange_userinfo: 1, refresh_rotation_userinfo: 1, round_trip: 1 }[name];
}

/** What a code exchange returned on one server, with and without an API (older results: one shape). */
function tokenShape(r, who) {
  const shape = r.tokenShapes?.[who];
  if (!shape) return '?';
  return typeof shape === 'string' ? shape : `for the API ${shape.api}; without one ${shape.userinfo}`;
}

function describeTokens(tokens) {
  const kind = (token) => (typeof token === 'string' && token.split('.').length === 3 ? 'JWT' : 'opaque');
  const parts = [`access_token (${kind(tokens.access_token)})`];
  if (tokens.id_token) parts.push('id_token (JWT)');
  if (tokens.refresh_token) parts.push(`refresh_token (${kind(tokens.refresh_token)})`);
  return `${parts.join(', ')}, scope "${tokens.scope}"`;
}

/** Resident memory of a process now (Linux), in MiB. */
function rssMiB(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * CPU time of a process so far, in ms (Linux): `total` over all its threads (those that ended
 * included), `main` of its main thread (the event loop; the rest is libuv's pool, where signing
 * and argon2 run, and V8's helpers).
 */
function processCpu(pid) {
  return { total: cpuMs(`/proc/${pid}/stat`), main: cpuMs(`/proc/${pid}/task/${pid}/stat`) };
}

function cpuPerRequest(before, after, requests) {
  if (!(requests > 0)) return { cpuUsPerRequest: null, mainCpuUsPerRequest: null };
  return {
    cpuUsPerRequest: Math.round(((after.total - before.total) * 1000) / requests),
    mainCpuUsPerRequest: Math.round(((after.main - before.main) * 1000) / requests),
  };
}

async function postgresVersion(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SHOW server_version')).rows[0].server_version;
  } finally {
    await client.end();
  }
}

function markdown(r) {
  const s = r.settings;
  const counted = r.scenarios.some((row) => row.optare.queriesPerRequest !== undefined);
  const lines = [
    '# Optare side by side with node-oidc-provider',
    '',
    `Command: \`${r.command}\` (bench/compare.mjs). ${r.date}.`,
    `Machine: ${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, ${r.machine.platform}. Load average (1, 5, 15 min) before the run: ${r.loadAverage.before.join(', ')}; after: ${r.loadAverage.after.join(', ')}.`,
    `Versions: Node.js ${r.versions.node}, Optare ${r.versions.optare} (Next.js ${r.versions.next}), oidc-provider ${r.versions.oidcProvider}, PostgreSQL ${r.versions.postgresql}, autocannon ${r.versions.autocannon}.`,
    `Settings: ${s.connections} connections (autocannon, loopback, on the same machine), ${s.seconds} s per run, ${s.rounds} rounds per scenario interleaved (Optare, peer, Optare, peer…) after a ${s.warmupSeconds} s warm-up of each.` +
      '',
    '',
    `RS256 signing ceiling measured in the same run: ${r.ceiling.nodeCrypto}/s (one thread), ${r.ceiling.webCrypto}/s (all cores). ${CEILING_LEGEND}.`,
    '',
    'req/s is the mean of the rounds; p50 the mean of the rounds\' p50, p99 the worst round\'s; CPU is the server process\'s CPU time per request, all threads (PostgreSQL not included), and in parentheses its main thread\'s (the event loop: the rest is libuv\'s pool, where RS256 signing and argon2 run, and V8\'s helpers).',
    '"ratio" is Optare/peer requests/s (each round\'s ratio in parentheses); "CPU ratio" is peer/Optare CPU per request (> 1: Optare spends less).',
    '"% ceiling" is requests/s × RS256 signatures per response ÷ the one-thread ceiling, and in parentheses ÷ the all-cores one.',
    '',
    `| scenario | server | req/s | p50 ms | p99 ms | non-2xx | errors | CPU µs/req (main) |${counted ? ' SQL/req |' : ''} ratio (rounds) | CPU ratio | goal | % ceiling |`,
    `|---|---|---:|---:|---:|---:|---:|---:|${counted ? '---:|' : ''}---|---:|---|---:|`,
  ];
  for (const row of r.scenarios) {
    for (const who of ['optare', 'peer']) {
      const x = row[who];
      const first = who === 'optare';
      const goal = row.goal ? `≥ ${row.goal}×: ${row.ratio >= row.goal ? 'met' : '**missed**'}` : '—';
      const p99 = x.p99 !== null && row.name !== 'round_trip' && first && x.p99 >= P99_GOAL_MS ? `**${x.p99}**` : x.p99;
      lines.push(
        `| ${first ? row.name : ''} | ${who === 'optare' ? 'Optare' : 'oidc-provider'} | ${x.rps} | ${x.p50} | ${p99} | ${x.non2xx} | ${x.errors} | ${x.cpuUsPerRequest ?? ''} (${x.mainCpuUsPerRequest ?? ''}) | ` +
          (counted ? `${x.queriesPerRequest ?? ''} | ` : '') +
          `${first ? `${row.ratio}× (${row.roundRatios.join(', ')})` : ''} | ${first && row.cpuRatio ? `${row.cpuRatio}×` : ''} | ${first ? goal : ''} | ` +
          `${x.percentOfCeiling !== undefined ? `${x.percentOfCeiling}% (${x.percentOfAllCores}%; ${x.signaturesPerResponse} sig.)` : ''} |`,
      );
    }
  }
  lines.push(...algorithmFigures(r.scenarios));
  lines.push(
    '',
    `Peak RSS: Optare ${r.rss.optare} MiB (goal < ${RSS_GOAL_MIB} MiB: ${r.rss.optare < RSS_GOAL_MIB ? 'met' : '**missed**'}), oidc-provider ${r.rss.peer} MiB. ` +
      `After start-up and set-up, before the first scenario: Optare ${r.rssAtStart?.optare} MiB, oidc-provider ${r.rssAtStart?.peer} MiB.`,
    `Peak RSS so far after each scenario (its runs and what was made for them), Optare / oidc-provider in MiB: ${r.scenarios
      .filter((row) => row.optare.peakRssMiB !== undefined)
      .map((row) => `${row.name} ${row.optare.peakRssMiB} / ${row.peer.peakRssMiB}`)
      .join(', ')}.`,
    `p99 goal: under ${P99_GOAL_MS} ms at ${s.connections} connections (bold where Optare misses it; the round trip is bounded by argon2id and has no such goal).`,
    '',
    ...(counted
      ? [
        'SQL/req: statements sent to PostgreSQL per request (BENCH_QUERIES=1; transaction BEGIN/COMMIT included), counted one request at a time after the timed rounds; the statements are in bench/compare-results.json.',
        '',
      ]
      : []),
    'Per round (s: how long the run lasted; a code-exchange run ends early if its prepared codes run out):',
    '',
    '| scenario | server | round | s | req/s | p50 ms | p99 ms | non-2xx | errors | CPU µs/req (main) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const row of r.scenarios) {
    for (const who of ['optare', 'peer']) {
      row[who].runs.forEach((run, i) => {
        lines.push(`| ${row.name} | ${who === 'optare' ? 'Optare' : 'oidc-provider'} | ${i + 1} | ${run.seconds} | ${run.rps} | ${run.p50} | ${run.p99} | ${run.non2xx} | ${run.errors} | ${run.cpuUsPerRequest ?? ''} (${run.mainCpuUsPerRequest ?? ''}) |`);
      });
    }
  }
  lines.push(
    '',
    '## What is compared',
    '',
    ...r.scenarios.map((row) => `- **${row.name}**: ${row.description}.`),
    '',
    'Both servers: PostgreSQL on 127.0.0.1 (a fresh database each, a pool of 10 connections each), RS256 with one RSA-2048 key,',
    'access tokens and ID tokens 3600 s, codes 60 s, refresh tokens rotated at every use, client_secret_basic, scopes',
    '`openid profile email offline_access`, PKCE S256 required, passwords argon2id (19 MiB, 2 passes, 1 lane, @node-rs/argon2),',
    'the same client ids and secrets and the same user. Every flow asks `prompt=consent` (oidc-provider keeps `offline_access`',
    'only then) and neither fetches an HTML page: sign-in and consent are answered at the servers\' JSON endpoints.',
    '',
    'Where the peer differs, because oidc-provider allows no closer setting (bench/peers/oidc-provider-server.mjs):',
    '',
    '- oidc-provider issues JWT access tokens only for a resource server (RFC 8707), and refuses those at userinfo and',
    '  introspection. So code_exchange and refresh_rotation name an API (`resource`), and both servers sign two RS256 JWTs per',
    '  response (the access token for the API and the ID token): issue 8\'s "JWT access tokens (RFC 9068 resource-indicator',
    '  format)". The *_userinfo scenarios name none: the peer\'s access token is then its opaque userinfo token, a row in its',
    '  database, so it signs one JWT (the ID token) and writes one more row; Optare still signs two. The introspection and',
    '  userinfo scenarios use such a token.',
    `  What a code exchange returned: Optare ${tokenShape(r, 'optare')}; oidc-provider ${tokenShape(r, 'peer')}.`,
    '- client_credentials tokens are RS256 JWTs (`typ: at+jwt`, aud = the issuer) on both, stored by neither.',
    '- Optare writes audit events and keeps its revocation checks (grant and jti) on every path; the peer has no audit trail.',
    '- Optare logs one line per request at `info` (its default); the peer logs nothing per request.',
    '- Optare is started as `npm run bench` starts it (bench/server.mjs): its production build, NODE_ENV unset (so no SMTP',
    '  server or HTTPS issuer is needed), rate limits counted but raised out of reach, REDIS_URL unset (limits kept in',
    '  PostgreSQL). The peer runs with NODE_ENV=production. Both listen on 127.0.0.1; autocannon runs in the harness process.',
    '',
  );
  return lines.join('\n');
}

function commandLine() {
  const names = [
    'OPTARE_SKIP_BUILD', 'OPTARE_NEXT_DIST_DIR', 'BENCH_SECONDS', 'BENCH_ROUNDS', 'BENCH_CONNECTIONS', 'BENCH_WARMUP_SECONDS',
    'BENCH_ONLY', 'BENCH_QUERIES', 'BENCH_TRACE', 'BENCH_NODE_ARGS', 'BENCH_PEER_NODE_ARGS', 'BENCH_LOG_LEVEL',
  ];
  const set = names.filter((name) => env[name] !== undefined).map((name) => `${name}=${/\s/.test(env[name]) ? `'${env[name]}'` : env[name]}`);
  if (env.BENCH_DATABASE_URL) set.push(`BENCH_DATABASE_URL=${env.BENCH_DATABASE_URL}`);
  return [...set, 'npm run bench:compare'].join(' ');
}

function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpu: cpus[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.type()} ${os.release()}` };
}

function versions() {
  const version = (name) => {
    try {
      return JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, 'utf8')).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    node: process.version,
    optare: JSON.parse(fs.readFileSync('package.json', 'utf8')).version,
    next: version('next'),
    oidcProvider: version('oidc-provider'),
    autocannon: version('autocannon'),
  };
}

function mean(values) {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function round2(value) {
  return Math.round(value * 100) / 100;
}
