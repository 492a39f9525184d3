// `npm start`: builds Optare on first start (or after its sources changed), then runs it: the
// server's own modules from their production bundle (scripts/build-server.mjs), Next.js from its build.
import { pathToFileURL } from 'node:url';
import { ensureBuild } from './ensure-build.mjs';
import { ensureServerBundle } from './build-server.mjs';

// Skipped builds still get a current bundle: it takes under a second (scripts/build-server.mjs).
const bundle = (await ensureBuild()) ?? (await ensureServerBundle());
const { main } = await import(pathToFileURL(bundle).href);
await main({ dev: false });
