// `npm start`: builds Optare on first start (or after its sources changed), then runs it.
import './thread-pool.mjs';
import { ensureBuild } from './ensure-build.mjs';

await ensureBuild();
await import('./register-server.mjs');
const { main } = await import('../lib/server/main.ts');
await main({ dev: false });
