// Lets Node run Optare's TypeScript server modules outside Next.js: registers tsx, and resolves
// `server-only` to its empty server build (its default export throws, as it should in a browser).
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./server-only-resolver.mjs', import.meta.url);
