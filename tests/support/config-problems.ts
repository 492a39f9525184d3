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
