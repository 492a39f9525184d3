import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import nextConfig from '../../next.config.mjs';
import { restoreNativeDate } from './native-date';

const require = createRequire(import.meta.url);
const NEXT_DATE_EXTENSION = 'next/dist/server/node-environment-extensions/date.js';
const builtIn = Date;

/** Loads Next.js's Date replacement afresh, as its server does when it starts. */
function installNextDate(): void {
  delete require.cache[require.resolve(NEXT_DATE_EXTENSION)];
  require(NEXT_DATE_EXTENSION);
}

describe('restoreNativeDate', () => {
  // Whatever a test left behind: the module under test saw the same built-in Date as this file.
  afterEach(() => {
    restoreNativeDate();
  });

  it("puts the built-in Date back after Next.js's replacement, constructor included", () => {
    installNextDate();
    expect(Date).not.toBe(builtIn);
    expect(new Date(0).constructor).not.toBe(builtIn);

    expect(restoreNativeDate()).toBe(true);
    expect(Date).toBe(builtIn);
    expect(new Date(0).constructor).toBe(builtIn);
    expect(new Date(0)).toBeInstanceOf(builtIn);
    expect(new Date(1_796_151_065_000).toISOString()).toBe('2026-12-01T18:51:05.000Z');
    expect(Object.getOwnPropertyDescriptor(builtIn.prototype, 'constructor')).toEqual({ value: builtIn, writable: true, enumerable: false, configurable: true });
  });

  it('leaves the built-in Date alone when nothing replaced it', () => {
    expect(restoreNativeDate()).toBe(false);
    expect(Date).toBe(builtIn);
  });

  it("holds only while cacheComponents is off: that is the one feature Next.js's Date wrapper serves", () => {
    expect(nextConfig.cacheComponents, 'lib/server/native-date.ts undoes the Date wrapper cacheComponents relies on').toBeFalsy();
  });
});
