import path from 'node:path';
import { expect } from '../pages/fixtures';
import { ROOT, type OptareServer } from './server';

/** NODE_OPTIONS for a server with runtime-probe.mjs preloaded. */
export const RUNTIME_PROBE_NODE_OPTIONS = `--import ${path.join(ROOT, 'e2e/system/runtime-probe.mjs')}`;

/** Asks the server's preloaded probe (SIGUSR2) and returns its answer about `what`. */
export async function askRuntimeProbe(server: OptareServer, what: 'async-hooks' | 'date'): Promise<string> {
  const pattern = new RegExp(`^${what}:(\\w+)$`, 'gm');
  const answers = () => [...server.stderr().matchAll(pattern)].map((match) => match[1]!);
  const seen = answers().length;
  process.kill(server.pid, 'SIGUSR2');
  await expect.poll(() => answers().length).toBe(seen + 1);
  return answers().at(-1)!;
}
