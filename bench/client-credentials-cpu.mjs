// `node bench/client-credentials-cpu.mjs`: one client_credentials run against a production
// server on the embedded database (or DATABASE_URL), printing requests/s and the CPU each of the
// server's threads spent per second: the main thread (the event loop) and libuv's pool (where
// tokens are signed). Main-thread CPU per request is the number to watch when optimising the
// protocol path; it is steadier than requests/s on a shared machine. BENCH_SECONDS sets the
// duration, BENCH_NODE_ARGS passes flags to the server (e.g. --cpu-prof), BENCH_PORT its port
// (3400 by default). BENCH_RATE caps the requests per second: on a busy machine, CPU per request
// at a fixed rate the server always keeps up with varies far less between runs than at full load.
// BENCH_ENDPOINT=jwks or discovery measures that endpoint instead, the same way.
import fs from 'node:fs';
import autocannon from 'autocannon';
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
  const result = await autocannon({ ...options, duration: SECONDS });
  const after = threadCpu(server.pid);
  const main = (after.get(server.pid) - before.get(server.pid)) / SECONDS;
  const rest = [...after].filter(([tid]) => tid !== server.pid).reduce((sum, [tid, ms]) => sum + ms - (before.get(tid) ?? 0), 0) / SECONDS;
  const rps = result.requests.average;
  console.log(`${ENDPOINT}: ${Math.round(rps)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`);
  console.log(`server CPU: main thread ${(main / 1000).toFixed(2)} cores (${Math.round((main * 1000) / rps)} µs/request), other threads ${(rest / 1000).toFixed(2)} cores (${Math.round((rest * 1000) / rps)} µs/request)`);
  console.log(`peak RSS: ${peakRssMiB(server.pid)} MiB`);
} finally {
  await server.stop();
}

/** CPU ms so far of each thread of a process (Linux /proc), by thread id. */
function threadCpu(pid) {
  const cpu = new Map();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // the thread ended meanwhile
    }
  }
  return cpu;
}
