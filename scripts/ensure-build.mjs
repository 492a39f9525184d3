import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { sourceStamp } from './source-stamp.mjs';
import { ensureServerBundle } from './build-server.mjs';

const SOURCES = ['app', 'components', 'lib', 'public', 'proxy.ts', 'next.config.mjs', 'postcss.config.mjs', 'package-lock.json', 'tsconfig.json'];
const STAMP = path.join('.next', 'optare-source-stamp');
const SKIP = new Set(['generated', 'node_modules']);

/**
 * The Next.js build and the server bundle, each rebuilt if its sources changed since it was made.
 * Returns the bundle's path, or null when OPTARE_SKIP_BUILD=1 skipped both.
 */
export async function ensureBuild() {
  if (process.env.OPTARE_SKIP_BUILD === '1') return null;
  const stamp = sourceStamp(SOURCES, SKIP);
  const built = fs.existsSync(path.join('.next', 'BUILD_ID')) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === stamp;
  if (!built) buildNext(stamp);
  return ensureServerBundle();
}

function buildNext(stamp) {
  console.log('Building Optare (first start, or the sources changed); this takes about a minute…');
  const require = createRequire(import.meta.url);
  const result = spawnSync(process.execPath, [require.resolve('next/dist/bin/next'), 'build'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) {
    console.error('The build failed; see the messages above.');
    process.exit(result.status ?? 1);
  }
  fs.writeFileSync(STAMP, stamp);
}

if (import.meta.url === `file://${process.argv[1]}`) await ensureBuild();
