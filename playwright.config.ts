import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/** Debian's Chromium (PLATFORM.md): CHROMIUM_PATH, else /usr/bin/chromium, else Playwright's own. */
function chromiumExecutable(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].filter(Boolean) as string[];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (found) return found;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist`);
  return undefined; // Playwright's bundled browser, if `npx playwright install` could fetch one
}

// One fresh data directory per run, shared by the config's evaluations in every worker.
process.env.OPTARE_E2E_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'optare-e2e-'));

export const EMBEDDED_PORT = 3100;
export const POSTGRES_PORT = 3101;
const postgresUrl = process.env.E2E_DATABASE_URL;

// Every browser test comes from 127.0.0.1 and signs up and fails sign-ins by the hundred: the
// per-address and per-account limits are set out of the way here; the rate-limit tests (vitest
// and e2e/system) run with the real defaults or their own.
const E2E_RATE_LIMITS = {
  OPTARE_RATE_LIMIT_SIGN_IN_IP: '100000/1h',
  OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT_IP: '1000/15m',
  OPTARE_RATE_LIMIT_SIGN_UP_IP: '100000/1h',
  OPTARE_RATE_LIMIT_PASSKEY_OPTIONS: '100000/1m',
  OPTARE_RATE_LIMIT_PASSKEY_SIGN_IN: '100000/1m',
  OPTARE_RATE_LIMIT_ACCOUNT_WRITES: '100000/1m',
  OPTARE_RATE_LIMIT_SECOND_FACTOR: '1000/15m',
};

const server = (port: number, env: Record<string, string>) => ({
  command: 'node scripts/start.mjs',
  url: `http://localhost:${port}/readyz`,
  reuseExistingServer: false,
  timeout: 120_000,
  stdout: 'ignore' as const,
  stderr: 'pipe' as const,
  env: { PORT: String(port), OPTARE_SKIP_BUILD: '1', LOG_LEVEL: 'warn', ...E2E_RATE_LIMITS, ...env },
});

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: 2,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: '.test-results/playwright.json' }]],
  use: {
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    // @postgres-only specs need a PostgreSQL server of their own (e.g. several instances on one).
    { name: 'embedded', grepInvert: /@postgres-only/, use: { browserName: 'chromium', baseURL: `http://localhost:${EMBEDDED_PORT}` } },
    ...(postgresUrl
      ? [
          {
            name: 'postgres',
            grep: /@postgres/,
            use: { browserName: 'chromium' as const, baseURL: `http://localhost:${POSTGRES_PORT}` },
          },
        ]
      : []),
  ],
  webServer: [
    server(EMBEDDED_PORT, { OPTARE_DATA_DIR: path.join(process.env.OPTARE_E2E_DATA_DIR, 'embedded') }),
    ...(postgresUrl
      ? [server(POSTGRES_PORT, { DATABASE_URL: postgresUrl, OPTARE_DATA_DIR: path.join(process.env.OPTARE_E2E_DATA_DIR, 'pg') })]
      : []),
  ],
});
