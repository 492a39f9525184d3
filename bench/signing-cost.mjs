// `node bench/signing-cost.mjs`: the event-loop CPU one RS256 access token costs when signed with
// jose's SignJWT (WebCrypto) and with node:crypto's sign() on the thread pool, as Optare does
// (lib/oauth/tokens/jws.ts). Run with UV_THREADPOOL_SIZE=1 so the signing thread and the main
// thread share the machine the same way in both runs. docs/decisions.md records the numbers.
import fs from 'node:fs';
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
const cryptoKey = await importPKCS8(pem, 'RS256');
const keyObject = createPrivateKey(pem);
const header = { alg: 'RS256', typ: 'at+jwt', kid: 'k' };
const claims = () => ({ iss: 'https://id.example.com', sub: 'c', aud: 'https://id.example.com', client_id: 'oc_x', scope: 'profile', jti: Math.random().toString(36), iat: 1, exp: 2 });
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

const signers = {
  'jose SignJWT': (payload) => new SignJWT(payload).setProtectedHeader(header).sign(cryptoKey),
  'node:crypto sign': (payload) => {
    const input = `${encode(header)}.${encode(payload)}`;
    return new Promise((resolve, reject) =>
      sign('sha256', Buffer.from(input), keyObject, (error, signature) => (error ? reject(error) : resolve(`${input}.${signature.toString('base64url')}`))),
    );
  },
};

/** CPU time of this process's main thread so far, in ms (Linux). */
function mainThreadCpuMs() {
  const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

for (let round = 0; round < 2; round++) {
  for (const [name, signToken] of Object.entries(signers)) {
    const count = 4000;
    let started = 0;
    const cpu = mainThreadCpuMs();
    const wall = performance.now();
    await Promise.all(Array.from({ length: 16 }, async () => { while (started++ < count) await signToken(claims()); }));
    const perToken = ((mainThreadCpuMs() - cpu) * 1000) / count;
    console.log(`${name.padEnd(18)} main thread ${Math.round(perToken)} µs/token, ${Math.round((count / (performance.now() - wall)) * 1000)} tokens/s`);
  }
}
