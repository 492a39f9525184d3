// libuv's thread pool signs tokens (node:crypto's callback sign) and hashes passwords (argon2).
// Its default of 4 threads is more than a 2-core machine can run at once: the extra threads only
// take turns with the event loop (docs/decisions.md, "One pool thread per core"). So `npm start`
// sizes it to one thread per core, at least 2, unless UV_THREADPOOL_SIZE is set.
//
// libuv sizes its pool on first use, and Node's ES module loader reads the entry module's imports
// through the pool before any of them runs: an import that set the variable came too late and the
// pool kept 4 threads. This file is CommonJS, preloaded with `node --require`, so it runs before
// the loader starts.
const os = require('node:os');

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, os.availableParallelism()));
