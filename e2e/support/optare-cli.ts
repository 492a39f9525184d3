import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { TestInfo } from '@playwright/test';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Runs `optare <args> --json` against the database of the server this test's project uses: the
 * embedded server's data directory (the CLI connects through that server's socket), or the
 * PostgreSQL database of the @postgres project.
 */
export function optareCli(testInfo: TestInfo, args: string[]): Record<string, unknown> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  if (testInfo.project.name === 'postgres') {
    env.DATABASE_URL = process.env.E2E_DATABASE_URL;
    env.OPTARE_DATA_DIR = path.join(process.env.OPTARE_E2E_DATA_DIR!, 'pg');
  } else {
    env.OPTARE_DATA_DIR = path.join(process.env.OPTARE_E2E_DATA_DIR!, 'embedded');
  }
  const result = spawnSync(process.execPath, ['scripts/optare.mjs', ...args, '--json'], { cwd: ROOT, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`optare ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}
