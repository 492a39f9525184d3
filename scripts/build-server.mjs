// The production server's own modules (lib/server/main.ts and everything of lib/ it imports) as
// one plain JavaScript file, next to Next.js's build. `npm start` imports it instead of running
// the TypeScript through tsx: no loader thread, no transpiler, no inline source maps in memory,
// 50 to 90 MiB less resident memory (docs/decisions.md, "The server bootstrap as one bundle").
// Packages stay imports of node_modules. Built in well under a second, so start.mjs rebuilds it
// whenever lib/ changed, even when the Next.js build is skipped (OPTARE_SKIP_BUILD=1).
import fs from 'node:fs';
import path from 'node:path';
import { sourceStamp } from './source-stamp.mjs';

const ENTRY = 'lib/server/main.ts';
// The generated Prisma client is bundled too, so it counts (ensure-build's stamp leaves it out).
const SOURCES = ['lib', 'package-lock.json', 'tsconfig.json', 'scripts/build-server.mjs'];

/** Where the bundle of the current build directory (OPTARE_NEXT_DIST_DIR, else .next) lives. */
export function serverBundlePath() {
  return path.resolve(process.env.OPTARE_NEXT_DIST_DIR || '.next', 'optare-server', 'main.mjs');
}

/** The bundle's path, rebuilt first if it is missing or lib/ changed since it was built. */
export async function ensureServerBundle() {
  const file = serverBundlePath();
  const stampFile = `${file}.stamp`;
  const stamp = sourceStamp(SOURCES);
  if (fs.existsSync(file) && readOrNull(stampFile) === stamp) return file;
  await buildServerBundle(file);
  writeAtomically(stampFile, stamp);
  return file;
}

async function buildServerBundle(file) {
  const { build } = await import('esbuild'); // only when building: a fresh bundle costs no esbuild
  const result = await build({
    entryPoints: [ENTRY],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // A linked map, read only when the operator asks for it (NODE_OPTIONS=--enable-source-maps):
    // Node's source-map support would also load the map of every Next.js module, about 45 MiB.
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    plugins: [serverOnlyAsEmpty],
    write: false,
    logLevel: 'warning',
  });
  // Written under a temporary name and renamed: two instances starting from one checkout may
  // build at the same moment, and neither may import a half-written file.
  for (const output of result.outputFiles) writeAtomically(output.path, output.contents);
}

/** `server-only` guards modules against client bundles; on the server it is an empty module. */
const serverOnlyAsEmpty = {
  name: 'server-only',
  setup(builder) {
    builder.onResolve({ filter: /^server-only$/ }, () => ({ path: 'server-only', namespace: 'optare-empty' }));
    builder.onLoad({ filter: /.*/, namespace: 'optare-empty' }, () => ({ contents: '', loader: 'js' }));
  },
};

function writeAtomically(file, contents) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
}

function readOrNull(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await ensureServerBundle());
