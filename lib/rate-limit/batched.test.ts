import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { BatchedLimiter, SYNC_INTERVAL_MS } from './batched';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BatchedLimiter', () => {
  it('lets the points through, then refuses, reporting the first refusal of the window once', async () => {
    const limiter = new BatchedLimiter(new RateLimiterMemory({ points: 5, duration: 60 }), 5);
    const verdicts = [];
    for (let i = 0; i < 8; i++) verdicts.push(await limiter.consume('client'));
    expect(verdicts.slice(0, 5)).toEqual(Array(5).fill({ allowed: true }));
    expect(verdicts.slice(5).map((verdict) => !verdict.allowed && verdict.firstRefusal)).toEqual([true, false, false]);
    const refusal = verdicts[5] as { msBeforeNext: number };
    expect(refusal.msBeforeNext).toBeGreaterThan(55_000);
    expect(refusal.msBeforeNext).toBeLessThanOrEqual(60_000);
  });

  it('adds what it let through to the shared store within one interval, so instances count together', async () => {
    const store = new RateLimiterMemory({ points: 6, duration: 60 });
    const first = new BatchedLimiter(store, 6);
    const second = new BatchedLimiter(store, 6);
    for (let i = 0; i < 3; i++) expect(await first.consume('client')).toEqual({ allowed: true });
    await sleep(SYNC_INTERVAL_MS + 50);
    expect((await store.get('client'))?.consumedPoints).toBe(3);
    for (let i = 0; i < 3; i++) expect(await second.consume('client')).toEqual({ allowed: true });
    await sleep(SYNC_INTERVAL_MS + 50);
    expect((await store.get('client'))?.consumedPoints).toBe(6);
    // Both learn the shared count at their next sync and refuse from then on.
    await first.consume('client');
    await sleep(SYNC_INTERVAL_MS + 50);
    expect((await first.consume('client')).allowed).toBe(false);
    expect((await second.consume('client')).allowed).toBe(false);
  });

  it('needs the store only once per interval, not per request', async () => {
    let calls = 0;
    const store = new RateLimiterMemory({ points: 1000, duration: 60 });
    const counting = Object.assign(Object.create(store) as RateLimiterMemory, {
      consume: (key: string, points?: number) => {
        calls += 1;
        return store.consume(key, points);
      },
    });
    const limiter = new BatchedLimiter(counting, 1000);
    for (let i = 0; i < 200; i++) await limiter.consume('client');
    expect(calls).toBeLessThanOrEqual(2);
    await sleep(SYNC_INTERVAL_MS + 50);
    expect((await store.get('client'))?.consumedPoints).toBe(200);
  });

  it('requests that arrive together on a new window share its first store round trip (no stampede on one row)', async () => {
    let calls = 0;
    const store = new RateLimiterMemory({ points: 1000, duration: 60 });
    const slow = Object.assign(Object.create(store) as RateLimiterMemory, {
      consume: async (key: string, points?: number) => {
        calls += 1;
        await sleep(50); // a shared store under load
        return store.consume(key, points);
      },
    });
    const limiter = new BatchedLimiter(slow, 1000);
    const verdicts = await Promise.all(Array.from({ length: 100 }, () => limiter.consume('client')));
    expect(verdicts.every((verdict) => verdict.allowed)).toBe(true);
    expect(calls).toBe(1);
    await sleep(SYNC_INTERVAL_MS + 100);
    expect(calls).toBe(2);
    expect((await store.get('client'))?.consumedPoints).toBe(100);
  });

  it('of requests that wait together for the first round trip, only those within the points get through', async () => {
    const limiter = new BatchedLimiter(new RateLimiterMemory({ points: 5, duration: 60 }), 5);
    const verdicts = await Promise.all(Array.from({ length: 8 }, () => limiter.consume('client')));
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(5);
    expect(verdicts.filter((verdict) => !verdict.allowed && verdict.firstRefusal)).toHaveLength(1);
  });

  it('keeps counting locally when the store fails, and never lets more than the points through', async () => {
    const failing = Object.assign(Object.create(new RateLimiterMemory({ points: 3, duration: 60 })) as RateLimiterMemory, {
      consume: () => Promise.reject(new Error('store down')),
    });
    const limiter = new BatchedLimiter(failing, 3);
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push((await limiter.consume('client')).allowed);
    expect(verdicts).toEqual([true, true, true, false, false]);
  });

  it('treats the store’s own refusal as the shared count', async () => {
    const store = new RateLimiterMemory({ points: 2, duration: 60 });
    await store.consume('client', 2);
    await expect(store.consume('client')).rejects.toBeInstanceOf(RateLimiterRes);
    const limiter = new BatchedLimiter(store, 2);
    expect((await limiter.consume('client')).allowed).toBe(false);
  });
});
