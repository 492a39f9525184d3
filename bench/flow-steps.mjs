// `node bench/flow-steps.mjs`: the CPU each step of a browserless sign-in flow costs the server,
// one flow at a time: authorize, sign in (argon2id), continue, consent, code exchange. Prints
// per step the main thread's CPU (the event loop, where Next.js's request pipeline runs) and the
// whole process's (the thread pool's hashes and signatures, V8's helper threads), in µs per
// request, averaged over FLOWS flows (100) after 20 to warm up. The CPU is the kernel's
// per-thread run time (/proc/PID/task/TID/schedstat). Runs on the embedded database, or on
// PostgreSQL with DATABASE_URL (use a fresh database: each run seals its keys with a new key).
import fs from 'node:fs';
import { ensureBuild } from '../scripts/ensure-build.mjs';
import { PASSWORD, signUp } from './flow.mjs';
import { appClientArgs, authorizeQuery, CookieJar, exchangeCode, go, pkce } from './peers/flows.mjs';
import { startServer } from './server.mjs';

const FLOWS = Number(process.env.FLOWS ?? 100);
const WARM_UP = 20;

await ensureBuild();
const server = await startServer({ port: Number(process.env.BENCH_PORT ?? 3403), databaseUrl: process.env.DATABASE_URL });
const runTime = (tid) => {
  try {
    return Number(fs.readFileSync(`/proc/${server.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0; // the thread ended
  }
};
const processRunTime = () => fs.readdirSync(`/proc/${server.pid}/task`).reduce((sum, tid) => sum + runTime(tid), 0);

const totals = new Map();
async function step(name, request) {
  const main = runTime(server.pid);
  const all = processRunTime();
  const response = await request();
  // What the server does after answering (the request log line) belongs to this step.
  await new Promise((resolve) => setTimeout(resolve, 2));
  const total = totals.get(name) ?? { count: 0, main: 0, all: 0 };
  totals.set(name, { count: total.count + 1, main: total.main + runTime(server.pid) - main, all: total.all + processRunTime() - all });
  return response;
}

const client = server.cli(appClientArgs('bench-flow-steps'));
const app = { id: client.clientId, secret: client.clientSecret };
const email = 'bench-flow-steps@example.com';
await signUp(server.base, email);
const json = { 'content-type': 'application/json', origin: server.base };

async function flow() {
  const jar = new CookieJar();
  const { verifier, challenge } = pkce();
  let response = await step('authorize', () => go(`${server.base}/oauth/authorize?${authorizeQuery(app.id, challenge)}`, jar));
  const handle = new URL(response.headers.get('location'), server.base).searchParams.get('request');
  response = await step('sign-in', () => go(`${server.base}/api/auth/sign-in`, jar, { method: 'POST', headers: json, body: JSON.stringify({ email, password: PASSWORD, request: handle }) }));
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const resume = new URL((await response.json()).redirectTo, server.base);
  response = await step('continue', () => go(resume.href, jar));
  const consent = new URL(response.headers.get('location'), server.base);
  if (consent.pathname !== '/consent') throw new Error(`continue went to ${consent.href}, not the consent page`);
  response = await step('consent', () => go(`${server.base}/consent/decision`, jar, { method: 'POST', headers: json, body: JSON.stringify({ request: handle, decision: 'approve' }) }));
  const code = new URL((await response.json()).redirectTo).searchParams.get('code');
  await step('token', () => exchangeCode(server.base, '/oauth/token', app, { code, verifier }));
}

try {
  for (let i = 0; i < WARM_UP; i++) await flow();
  totals.clear();
  for (let i = 0; i < FLOWS; i++) await flow();
  console.log(`CPU per request over ${FLOWS} flows, one at a time (µs):`);
  for (const [name, { count, main, all }] of totals) {
    console.log(`${name.padEnd(10)} main thread ${String(Math.round(main / count / 1000)).padStart(6)}   whole process ${String(Math.round(all / count / 1000)).padStart(6)}`);
  }
} finally {
  await server.stop();
}
