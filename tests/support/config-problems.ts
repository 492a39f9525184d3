import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from '../../lib/config/load';

/** The problems of the ConfigError `load` throws; fails the test when the configuration is accepted. */
export function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

/** Writes `content` to `dir/name` with exactly `mode` (the umask would loosen or tighten it), returning the path. */
export function fileWithMode(dir: string, name: string, content: string, mode = 0o600): string {
  const target = path.join(dir, name);
  fs.writeFileSync(target, content);
  fs.chmodSync(target, mode);
  return target;
}
