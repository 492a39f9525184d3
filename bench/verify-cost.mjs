// `node bench/verify-cost.mjs`: the CPU one RS256 access-token verification costs with jose's
// jwtVerify (WebCrypto, on libuv's pool) and with node:crypto's verify() on the calling thread,
// as Optare's verifyJws does (lib/oauth/tokens/jws.ts), 16 verifications in flight. Prints the
// main thread's CPU and the whole process's per token. docs/decisions.md records the numbers.
import fs from 'node:fs';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { jwtVerify } from 'jose';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const issuer = 'https://id.example.com';
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const input = `${encode({ alg: 'RS256', typ: 'at+jwt', kid: 'k' })}.${encode({ iss: issuer, sub: 'u', aud: issuer, client_id: 'oc_x', scope: 'openid profile', jti: 'j', iat: 1, exp: 4_000_000_000 })}`;
const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;

const verifiers = {
  'jose jwtVerify': () => jwtVerify(token, async () => publicKey, { algorithms: ['RS256'], typ: 'at+jwt', issuer }),
  'node:crypto verify': async () => {
    const [header, payload, signature] = token.split('.');
    if (!verify('sha256', Buffer.from(`${header}.${payload}`, 'ascii'), publicKey, Buffer.from(signature, 'base64url'))) throw new Error('bad signature');
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  },
};

/** CPU time so far in ms (Linux): of the main thread, or of the whole process. */
function cpuMs(file) {
  const fields = fs.readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const MAIN = `/proc/self/task/${process.pid}/stat`;
const PROCESS = '/proc/self/stat';

for (let round = 0; round < 2; round++) {
  for (const [name, verifyToken] of Object.entries(verifiers)) {
    const count = 10_000;
    let started = 0;
    const main = cpuMs(MAIN);
    const all = cpuMs(PROCESS);
    const wall = performance.now();
    await Promise.all(Array.from({ length: 16 }, async () => { while (started++ < count) await verifyToken(); }));
    const per = (start, file) => Math.round(((cpuMs(file) - start) * 1000) / count);
    console.log(`${name.padEnd(20)} main thread ${per(main, MAIN)} µs/token, process ${per(all, PROCESS)} µs/token, ${Math.round((count / (performance.now() - wall)) * 1000)} tokens/s`);
  }
}
