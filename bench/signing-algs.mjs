// `node bench/signing-algs.mjs [seconds-per-alg] [rounds]`: signatures per second of one Node.js
// process for each JWS alg Optare signs with, using node:crypto's callback sign() (libuv's thread
// pool) with the same parameters as lib/oauth/tokens/jws.ts and 16 signatures in flight, plus the
// synchronous verification rate. The algs take turns for several rounds and the median is shown,
// so a burst of load elsewhere on the machine hits them alike. Prints a Markdown table (README,
// "Signing algorithms").
import os from 'node:os';
import { constants, generateKeyPairSync, sign, verify } from 'node:crypto';

const SECONDS = Number(process.argv[2] ?? 2);
const ROUNDS = Number(process.argv[3] ?? 5);
const IN_FLIGHT = 16;

const rsa = (bits) => generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
const cases = [
  ['RS256', 'RSA 2048', rsa(2048), 'sha256', {}],
  ['RS256', 'RSA 3072', rsa(3072), 'sha256', {}],
  ['RS256', 'RSA 4096', rsa(4096), 'sha256', {}],
  ['PS256', 'RSA 2048', rsa(2048), 'sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
  ['PS256', 'RSA 3072', rsa(3072), 'sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
  ['ES256', 'P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'sha256', { dsaEncoding: 'ieee-p1363' }],
  ['EdDSA', 'Ed25519', generateKeyPairSync('ed25519'), null, {}],
];

// A typical access token's signing input (header + claims, base64url): about 330 bytes.
const input = Buffer.from(
  `${Buffer.from('{"alg":"RS256","typ":"at+jwt","kid":"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"}').toString('base64url')}.` +
    Buffer.from(JSON.stringify({ iss: 'https://id.example.com', sub: 'user-1', aud: 'https://id.example.com', client_id: 'oc_abcdefghijklmnop', scope: 'openid profile email', jti: 'x'.repeat(22), iat: 1, exp: 2 })).toString('base64url'),
);

const signOnce = (digest, key, options) =>
  new Promise((resolve, reject) => sign(digest, input, { key, ...options }, (error, signature) => (error ? reject(error) : resolve(signature))));

async function signingRate(digest, privateKey, options) {
  const until = performance.now() + SECONDS * 1000;
  let count = 0;
  let signature;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        signature = await signOnce(digest, privateKey, options);
        count += 1;
      }
    }),
  );
  return { rate: count / SECONDS, signature };
}

function verifyRate(digest, publicKey, options, signature) {
  const until = performance.now() + SECONDS * 500;
  let count = 0;
  while (performance.now() < until) {
    if (!verify(digest, input, { key: publicKey, ...options }, signature)) throw new Error('signature does not verify');
    count += 1;
  }
  return count / (SECONDS / 2);
}

const format = (value) => Math.round(value).toLocaleString('en-US');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = cases.map(() => ({ signing: [], verifying: [], bytes: 0 }));
const loadBefore = os.loadavg()[0];
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, [, , pair, digest, options]] of cases.entries()) {
    const { rate, signature } = await signingRate(digest, pair.privateKey, options);
    results[index].signing.push(rate);
    results[index].verifying.push(verifyRate(digest, pair.publicKey, options, signature));
    results[index].bytes = signature.length;
  }
}
console.log(
  `Node.js ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}, ` +
    `${IN_FLIGHT} in flight, median of ${ROUNDS} rounds of ${SECONDS} s per alg, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`,
);
console.log('');
console.log('| alg | key | signatures/s (one process) | verifications/s (one core) | signature bytes |');
console.log('|---|---|---:|---:|---:|');
for (const [index, [alg, key]] of cases.entries()) {
  const { signing, verifying, bytes } = results[index];
  console.log(`| ${alg} | ${key} | ${format(median(signing))} | ${format(median(verifying))} | ${bytes} |`);
}
