import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { installConfig, loadConfig, type Config } from '../../lib/config';

/** Installs a configuration for in-process tests: a random key and a throwaway data directory. */
export function useTestConfig(overrides: Record<string, string> = {}): Config {
  const config = loadConfig({
    OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    OPTARE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'optare-cfg-')),
    ...overrides,
  });
  installConfig(config);
  return config;
}
