// libuv's thread pool signs tokens (node:crypto's callback sign) and hashes passwords (argon2).
// Its default of 4 threads is more than a 2-core machine can run at once: the extra threads only
// take turns with the event loop, and token issuance measured 10-40% faster with one thread per
// core (docs/decisions.md, "One pool thread per core"). Imported first by scripts/start.mjs,
// before anything uses the pool (libuv sizes it on first use); UV_THREADPOOL_SIZE still wins.
import os from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, os.availableParallelism()));
