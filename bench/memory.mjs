// `node bench/memory.mjs`: Optare's resident memory (Linux VmRSS, and VmHWM, the peak so far)
// after start-up, after 5 s of client_credentials tokens and after 3 s of sign-in pages, each at
// 32 connections, then after 10 s of whole browserless sign-in flows (authorize, sign in with
// argon2id, consent, code exchange; 32 at once, each from a new browser) and how many ended.
// Runs on the embedded database, or on PostgreSQL with DATABASE_URL (use a fresh database: each
// run seals its signing keys with a new development key). The issue-8 goal is a
// peak under 300 MB on PostgreSQL; `npm run bench:compare` reports the peak of its whole run.
import fs from 'node:fs';
import autocannon from 'autocannon';
import { ensureBuild } from '../scripts/ensure-build.mjs';
import { basic, PASSWORD, REDIRECT_URI, signUp } from './flow.mjs';
import { appClientArgs, CookieJar, exchangeCode, optareCode } from './peers/flows.mjs';
import { startServer } from './server.mjs';

await ensureBuild();
const server = await startServer({ port: Number(process.env.BENCH_PORT ?? 3401), databaseUrl: process.env.DATABASE_URL });
const memory = () => {
  const status = fs.readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const kib = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))[1]);
  return `${Math.round(kib('VmRSS') / 1024)} MiB (peak ${Math.round(kib('VmHWM') / 1024)} MiB)`;
};
try {
  console.log(`after start-up:           ${memory()}`);
  const client = server.cli(['client', 'create', '--name', 'bench-memory', '--redirect-uri', REDIRECT_URI, '--grant', 'client_credentials', '--scope', 'profile']);
  await autocannon({
    url: server.base, connections: 32, duration: 5,
    requests: [{ method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret) }, body: 'grant_type=client_credentials&scope=profile' }],
  });
  console.log(`after client_credentials: ${memory()}`);
  await autocannon({ url: server.base, connections: 32, duration: 3, requests: [{ method: 'GET', path: '/sign-in' }] });
  console.log(`after sign-in pages:      ${memory()}`);
  const app = server.cli(appClientArgs('bench-memory-app'));
  const appClient = { id: app.clientId, secret: app.clientSecret };
  const email = 'bench-memory@example.com';
  await signUp(server.base, email);
  const end = performance.now() + 10_000;
  let flows = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (performance.now() < end) {
      const code = await optareCode(server.base, { clientId: appClient.id, email, password: PASSWORD, jar: new CookieJar() });
      await exchangeCode(server.base, '/oauth/token', appClient, code);
      flows++;
    }
  }));
  console.log(`after sign-in flows:      ${memory()}; ${flows} flows in 10 s`);
} finally {
  await server.stop();
}
