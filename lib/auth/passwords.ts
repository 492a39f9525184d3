import 'server-only';
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id; the package exports it as an ambient const enum, which isolated modules cannot read.
const ARGON2ID = 2;

// OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return inHashLane(() => hash(password, OPTIONS));
}

/**
 * How many hashes run at once: half of libuv's thread pool, at least one. Each takes 19 MiB and a
 * pool thread for about 10 ms; the other half of the pool stays free for token signatures, so a
 * burst of sign-ins neither stalls the token endpoint nor holds 19 MiB per pool thread
 * (docs/decisions.md, "Password hashes take half the pool"). The rest wait their turn in order.
 */
export function hashLaneCount(poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4): number {
  return Math.max(1, Math.floor(poolSize / 2));
}

// Shared through globalThis: lib/ is loaded by the server bundle and again by Next.js's bundles.
const LANES_KEY = Symbol.for('optare.password-hash-lanes');
type Lanes = { free: number; waiting: (() => void)[] };
function lanes(): Lanes {
  const holder = globalThis as { [LANES_KEY]?: Lanes };
  holder[LANES_KEY] ??= { free: hashLaneCount(), waiting: [] };
  return holder[LANES_KEY];
}

/** Runs `work` once a hash lane is free. */
export async function inHashLane<T>(work: () => Promise<T>): Promise<T> {
  const state = lanes();
  if (state.free > 0) state.free--;
  else await new Promise<void>((resolve) => state.waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = state.waiting.shift();
    if (next) next();
    else state.free++;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies a password against a stored hash. With no hash (unknown account) it verifies
 * against a dummy hash with the same parameters, so the response takes as long either way.
 */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (storedHash === null) {
    dummyHash ??= hashPassword('optare-dummy-password-for-timing');
    const hashed = await dummyHash;
    await inHashLane(() => verify(hashed, password)).catch(() => false);
    return false;
  }
  try {
    return await inHashLane(() => verify(storedHash, password));
  } catch {
    return false;
  }
}
