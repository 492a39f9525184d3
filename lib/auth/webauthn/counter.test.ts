import { describe, expect, it } from 'vitest';
import { counterRegressed } from './counter';

describe('counterRegressed', () => {
  it('accepts a counter that moves forward, and 0 after 0 (authenticators that do not count)', () => {
    expect(counterRegressed(0, 0)).toBe(false);
    expect(counterRegressed(0, 1)).toBe(false);
    expect(counterRegressed(41, 42)).toBe(false);
    expect(counterRegressed(7, 2 ** 32 - 1)).toBe(false);
  });

  it('refuses a counter that repeats or goes back while either side is non-zero', () => {
    expect(counterRegressed(42, 42)).toBe(true);
    expect(counterRegressed(42, 41)).toBe(true);
    expect(counterRegressed(5, 0)).toBe(true);
  });
});
