import { afterEach, describe, expect, it } from 'vitest';
import { cachedClient, invalidateClientCache, type LoadedClient } from './cache';
import type { OAuthClientRecord } from './types';

const loaded = (name: string): LoadedClient => ({
  record: { id: 'client-a', name } as OAuthClientRecord,
  secretHash: null,
  previousSecret: null,
});

/** A loader whose lookups finish when the test says so, counting them. */
function deferredLoader() {
  const pending: ((value: LoadedClient | null) => void)[] = [];
  return {
    calls: 0,
    load(this: { calls: number }, _id: string): Promise<LoadedClient | null> {
      this.calls += 1;
      return new Promise((resolve) => pending.push(resolve));
    },
    finish(index: number, value: LoadedClient | null) {
      pending[index]!(value);
    },
  };
}

describe('cachedClient', () => {
  afterEach(() => invalidateClientCache());

  it('runs one lookup for requests that miss together, and none while the entry is fresh', async () => {
    const loader = deferredLoader();
    const load = loader.load.bind(loader);
    const together = Promise.all(Array.from({ length: 50 }, () => cachedClient('client-a', load)));
    expect(loader.calls).toBe(1);
    loader.finish(0, loaded('first'));
    const results = await together;
    expect(new Set(results).size).toBe(1);
    expect(results[0]!.record.name).toBe('first');
    expect((await cachedClient('client-a', load))!.record.name).toBe('first');
    expect(loader.calls).toBe(1);
  });

  it('never caches an unknown id: the next request looks it up again', async () => {
    const loader = deferredLoader();
    const load = loader.load.bind(loader);
    const first = cachedClient('client-a', load);
    loader.finish(0, null);
    expect(await first).toBeNull();
    const second = cachedClient('client-a', load);
    expect(loader.calls).toBe(2);
    loader.finish(1, loaded('created since'));
    expect((await second)!.record.name).toBe('created since');
  });

  it('after an invalidation, neither joins nor keeps a lookup that started before it', async () => {
    const loader = deferredLoader();
    const load = loader.load.bind(loader);
    const stale = cachedClient('client-a', load);
    invalidateClientCache(); // e.g. the client was disabled meanwhile
    const fresh = cachedClient('client-a', load);
    expect(loader.calls).toBe(2);
    loader.finish(0, loaded('before the change'));
    loader.finish(1, loaded('after the change'));
    expect((await stale)!.record.name).toBe('before the change');
    expect((await fresh)!.record.name).toBe('after the change');
    expect((await cachedClient('client-a', load))!.record.name).toBe('after the change');
    expect(loader.calls).toBe(2);
  });

  it('shares a failed lookup with the requests that waited for it, then tries again', async () => {
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(new Error('database unavailable'));
    };
    const results = await Promise.allSettled([cachedClient('client-a', failing), cachedClient('client-a', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    await expect(cachedClient('client-a', failing)).rejects.toThrow('database unavailable');
    expect(calls).toBe(2);
  });
});
