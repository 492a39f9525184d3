// `node bench/client-credentials-cpu.mjs`: one client_credentials run against a production
// server on the embedded database (or DATABASE_URL), printing requests/s and the CPU each of the
// server's threads spent per second: the main thread (the event loop) and libuv's pool (where
// tokens are signed). Main-thread CPU per request is the number to watch when optimising the
// protocol path; it is steadier than requests/s on a shared machine. BENCH_SECONDS sets the
// duration, BENCH_NODE_ARGS passes flags to the server (e.g. --cpu-prof), BENCH_PORT its port
// (3400 by default). BENCH_RATE caps the requests per second: on a busy machine, CPU per request
// at a fixed rate the server always keeps up with varies far less between runs than at full load.
// BENCH_ENDPOINT=jwks or discovery measures that endpoint instead, the same way.
//
// It also accounts for the whole machine's CPU per request: the server, this process (the load
// generator) and everything else (PostgreSQL, the OS). With the RS256 signing rate of all cores
// measured in the same run, that bounds issue 3's target: at full load, issuance as a share of
// the all-cores ceiling is one signature's core time over the machine's core time per request.
import fs from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { measureCeiling } from './ceiling.mjs';
import { cpuMs, machineBusyMs } from './proc-cpu.mjs';
import { ensureBuild } from '../scripts/ensure-build.mjs';
import { basic, REDIRECT_URI } from './flow.mjs';
import { peakRssMiB, startServer } from './server.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const PUBLIC_PATHS = { jwks: '/oauth/jwks', discovery: '/.well-known/openid-configuration' };
const ENDPOINT = process.env.BENCH_ENDPOINT ?? 'client_credentials';
if (ENDPOINT !== 'client_credentials' && !PUBLIC_PATHS[ENDPOINT]) throw new Error(`BENCH_ENDPOINT: client_credentials, ${Object.keys(PUBLIC_PATHS).join(' or ')}`);

function tokenRequest(server) {
  const client = server.cli(['client', 'create', '--name', 'bench-m2m', '--redirect-uri', REDIRECT_URI, '--grant', 'client_credentials', '--scope', 'profile']);
  return {
    method: 'POST', path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret) },
    body: 'grant_type=client_credentials&scope=profile',
  };
}

await ensureBuild();
const server = await startServer({ port: Number(process.env.BENCH_PORT ?? 3400), databaseUrl: process.env.DATABASE_URL });
try {
  const options = {
    url: server.base,
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
    ...(process.env.BENCH_RATE ? { overallRate: Number(process.env.BENCH_RATE) } : {}),
    requests: [ENDPOINT === 'client_credentials' ? tokenRequest(server) : { method: 'GET', path: PUBLIC_PATHS[ENDPOINT] }],
  };
  await autocannon({ ...options, duration: 2 }); // warm-up
  const before = threadCpu(server.pid);
  const machineBefore = machineBusyMs();
  const ownBefore = process.cpuUsage();
  const result = await autocannon({ ...options, duration: SECONDS });
  const after = threadCpu(server.pid);
  const machineAfter = machineBusyMs();
  const own = process.cpuUsage(ownBefore);
  const requests = result.requests.total;
  const mainMs = after.get(server.pid) - before.get(server.pid);
  const restMs = [...after].filter(([tid]) => tid !== server.pid).reduce((sum, [tid, ms]) => sum + ms - (before.get(tid) ?? 0), 0);
  const cores = (ms) => (ms / (SECONDS * 1000)).toFixed(2);
  const rps = result.requests.average;
  console.log(`${ENDPOINT}: ${Math.round(rps)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`);
  console.log(`server CPU: main thread ${cores(mainMs)} cores (${Math.round(usPerRequest(mainMs, requests))} µs/request), other threads ${cores(restMs)} cores (${Math.round(usPerRequest(restMs, requests))} µs/request)`);
  console.log(`peak RSS: ${peakRssMiB(server.pid)} MiB`);
  if (ENDPOINT === 'client_credentials') {
    await accountForMachine({ rps, serverMs: mainMs + restMs, machineMs: machineAfter - machineBefore, ownMs: (own.user + own.system) / 1000, requests });
  }
} finally {
  await server.stop();
}

function usPerRequest(ms, requests) {
  return (ms * 1000) / requests;
}

/** CPU ms so far of each thread of a process, by thread id (a thread that ended meanwhile is left out). */
function threadCpu(pid) {
  const cpu = new Map();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const ms = cpuMs(`/proc/${pid}/task/${tid}/stat`);
    if (!Number.isNaN(ms)) cpu.set(Number(tid), ms);
  }
  return cpu;
}

/**
 * Prints the machine's core time per request by who spent it, and what share of the all-cores
 * signing ceiling that allows: signing one token costs cores / ceiling of core time, so a machine
 * that spends M µs per request issues at most (cores / ceiling) / M of the ceiling when every core
 * is busy; without the load generator's share, the most a server on its own machine could.
 */
async function accountForMachine({ rps, serverMs, machineMs, ownMs, requests }) {
  const cores = os.availableParallelism();
  const ceiling = await measureCeiling();
  const [machineUs, serverUs, generatorUs] = [machineMs, serverMs, ownMs].map((ms) => usPerRequest(ms, requests));
  const signatureUs = (cores * 1e6) / ceiling.webCrypto;
  const share = (us) => `${Math.round((100 * signatureUs) / us)}%`;
  console.log(
    `machine CPU per request: ${Math.round(machineUs)} µs (server ${Math.round(serverUs)}, load generator ${Math.round(generatorUs)}, everything else ${Math.round(machineUs - serverUs - generatorUs)}); ` +
      `the machine was ${Math.round((machineMs / SECONDS / (cores * 1000)) * 100)}% busy`,
  );
  console.log(
    `all-cores ceiling ${ceiling.webCrypto}/s (one signature: ${Math.round(signatureUs)} µs of a core): this run ${Math.round((100 * rps) / ceiling.webCrypto)}%; ` +
      `at most ${share(machineUs)} with this machine's work per request, ${share(machineUs - generatorUs)} without the load generator's`,
  );
}
