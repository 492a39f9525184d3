import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { installConfig, loadConfig, type Config } from '../../lib/config';
import { RATE_LIMITS } from '../../lib/config/rate-limits';

/**
 * Installs a configuration for in-process tests: a random key, a throwaway data directory, and
 * rate limits off (every test's requests come from one address); the rate-limit tests turn on
 * the ones they test.
 */
export function useTestConfig(overrides: Record<string, string> = {}): Config {
  const config = loadConfig({
    OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    OPTARE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'optare-cfg-')),
    ...Object.fromEntries(Object.values(RATE_LIMITS).map((limit) => [limit.variable, 'off'])),
    ...overrides,
  });
  installConfig(config);
  return config;
}
