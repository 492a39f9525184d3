import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isoTimestamp } from './logger';

describe('isoTimestamp', () => {
  afterEach(() => vi.useRealTimers());

  it('writes what pino.stdTimeFunctions.isoTime writes, and follows the clock to the millisecond', () => {
    vi.useFakeTimers({ now: new Date('2026-11-30T12:00:00.123Z') });
    expect(isoTimestamp()).toBe(pino.stdTimeFunctions.isoTime());
    expect(isoTimestamp()).toBe(',"time":"2026-11-30T12:00:00.123Z"');
    vi.setSystemTime(new Date('2026-11-30T12:00:00.124Z'));
    expect(isoTimestamp()).toBe(',"time":"2026-11-30T12:00:00.124Z"');
    vi.setSystemTime(new Date('2026-11-30T12:00:01.000Z'));
    expect(isoTimestamp()).toBe(pino.stdTimeFunctions.isoTime());
  });
});
