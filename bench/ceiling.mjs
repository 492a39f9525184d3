// The machine's RS256 signing rate: the ceiling for token issuance.
//
// Two readings of it, both printed with every result. One signing thread (node:crypto,
// synchronous) is the one issue 8's figures fit: it puts this machine at "about 2,140 RS256
// signatures/s" for one Node.js process and calls node-oidc-provider's 1,600 tokens/s "about 75%
// of the signing ceiling" (all cores sign about three times that). All cores (WebCrypto, 16 in
// flight) is the machine's whole signing rate, with no HTTP, no database and no load generator
// sharing its cores: the plainer reading of issue 3's "the machine's own RS256 signing rate".
import { generateKeyPairSync, sign, webcrypto } from 'node:crypto';

const payload = Buffer.from('{"iss":"https://id.example.com","sub":"bench","aud":"bench","exp":1900000000}');

/** Signatures per second on one thread with node:crypto (synchronous). */
export function nodeCryptoRate(durationMs = 2000) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let count = 0;
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    sign('sha256', payload, privateKey);
    count++;
  }
  return count / (durationMs / 1000);
}

/** Signatures per second with WebCrypto (libuv's thread pool), `inFlight` at a time. */
export async function webCryptoRate(durationMs = 2000, inFlight = 16) {
  const { privateKey } = await webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    false,
    ['sign'],
  );
  let count = 0;
  const end = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, payload);
      count++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return count / (durationMs / 1000);
}

/**
 * Both readings of the ceiling, measured now: node:crypto on one thread, WebCrypto on all cores.
 * Each is the best of three 1-second runs: a ceiling is what the machine can do, and a run that
 * something else on the machine slowed down says less about that (one 2-second run read 2,862/s
 * one-thread where another a few minutes later read 3,930/s).
 */
export async function measureCeiling() {
  let nodeCrypto = 0;
  let webCrypto = 0;
  for (let round = 0; round < 3; round++) {
    nodeCrypto = Math.max(nodeCrypto, nodeCryptoRate(1000));
    webCrypto = Math.max(webCrypto, await webCryptoRate(1000));
  }
  return { nodeCrypto: Math.round(nodeCrypto), webCrypto: Math.round(webCrypto) };
}

/** Signatures per second as a percentage of `rate`: whole numbers from 10%, one decimal below. */
export function percentOf(rate, rps, signatures = 1) {
  const value = (100 * rps * signatures) / rate;
  return value >= 10 ? Math.round(value) : Math.round(10 * value) / 10;
}

export const CEILING_LEGEND = 'One thread: node:crypto signing on one thread, the reading issue 8\'s figures fit; all cores: WebCrypto with 16 in flight, the whole machine signing and nothing else (bench/ceiling.mjs)';

/** The console line that reports a measured ceiling. */
export const ceilingLine = (ceiling) => `RS256 signatures/s: node:crypto (1 thread) ${ceiling.nodeCrypto}, WebCrypto (16 in flight) ${ceiling.webCrypto}`;
