import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const SOURCES = ['app', 'components', 'lib', 'public', 'proxy.ts', 'next.config.mjs', 'postcss.config.mjs', 'package-lock.json', 'tsconfig.json'];
const STAMP = path.join('.next', 'optare-source-stamp');
const SKIP = new Set(['generated', 'node_modules']);

/** A fingerprint of the sources the build depends on: paths, sizes and modification times. */
function sourceStamp() {
  const hash = createHash('sha256');
  const visit = (entry) => {
    if (!fs.existsSync(entry)) return;
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) {
      for (const child of fs.readdirSync(entry).sort()) if (!SKIP.has(child)) visit(path.join(entry, child));
    } else {
      hash.update(`${entry}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  SOURCES.forEach(visit);
  return hash.digest('hex');
}

export async function ensureBuild() {
  if (process.env.OPTARE_SKIP_BUILD === '1') return;
  const stamp = sourceStamp();
  const built = fs.existsSync(path.join('.next', 'BUILD_ID')) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === stamp;
  if (built) return;
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
