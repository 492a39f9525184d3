// The command `npm start` runs (package.json "start"), read apart so that tools starting the
// server another way (the benchmarks) start it with the same process settings.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * `{ env, nodeArgs, script }`: the variables set before `node`, the flags given to node and the
 * script it runs. Paths in the flags are relative to the checkout's root.
 */
export function npmStartCommand() {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const words = scripts.start.trim().split(/\s+/);
  const node = words.indexOf('node');
  if (node < 0 || words.slice(0, node).some((word) => !/^[A-Z_][A-Z0-9_]*=\S*$/.test(word))) {
    throw new Error(`package.json "start" is not "VAR=value … node flags… script": ${scripts.start}`);
  }
  const env = Object.fromEntries(words.slice(0, node).map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]));
  const rest = words.slice(node + 1);
  return { env, nodeArgs: rest.slice(0, -1), script: rest.at(-1) };
}
