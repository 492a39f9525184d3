import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without type declarations
import { npmStartCommand } from '../../scripts/npm-start.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ONE_PER_CORE = Math.max(2, os.availableParallelism());

/**
 * An ES module that, like scripts/start.mjs, imports another module before its body runs, then
 * puts work on libuv's pool and prints how many threads the process has once the pool is up.
 */
const PROBE = `
import './imported.mjs';
import fs from 'node:fs';
import { pbkdf2 } from 'node:crypto';
pbkdf2('p', 's', 1, 32, 'sha256', () => console.log(fs.readdirSync('/proc/self/task').length));
`;

describe("npm start's libuv pool size (scripts/thread-pool.cjs)", () => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync('/proc/self/task')) {
      throw new Error('This test counts threads in /proc/self/task, which only Linux has; run it on Linux.');
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-thread-pool-'));
    fs.writeFileSync(path.join(dir, 'probe.mjs'), PROBE);
    fs.writeFileSync(path.join(dir, 'imported.mjs'), 'export {};\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Threads of the probe run with `nodeArgs` and, when given, UV_THREADPOOL_SIZE in its environment. */
  function threads(nodeArgs: string[], poolSize?: number): number {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.UV_THREADPOOL_SIZE;
    delete env.NODE_OPTIONS;
    if (poolSize !== undefined) env.UV_THREADPOOL_SIZE = String(poolSize);
    const result = spawnSync(process.execPath, [...nodeArgs, path.join(dir, 'probe.mjs')], { cwd: ROOT, env, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return Number(result.stdout.trim());
  }

  it('counts the pool: a process with a larger pool has more threads', () => {
    expect(threads([], ONE_PER_CORE + 3)).toBe(threads([], ONE_PER_CORE) + 3);
  });

  it("gives the pool one thread per core (at least 2) under npm start's node flags, before the module loader sizes it", () => {
    const { nodeArgs, script } = npmStartCommand();
    expect(script).toBe('scripts/start.mjs');
    expect(threads(nodeArgs)).toBe(threads([], ONE_PER_CORE));
  });

  it('leaves a UV_THREADPOOL_SIZE set by the operator as it is', () => {
    expect(threads(npmStartCommand().nodeArgs, 5)).toBe(threads([], 5));
  });
});
