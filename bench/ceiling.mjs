// The machine's RS256 signing rate: the physical ceiling for token issuance.
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
