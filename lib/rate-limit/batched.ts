import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * A request-rate limit that does not cost a round trip to the shared store per request. Each
 * instance decides locally from the shared count it last saw plus what it has let through since,
 * and adds its own count to the store in the background at most every SYNC_INTERVAL_MS. The first
 * request for a key in a window waits for the store; the others do not. Across N instances the
 * limit can be overshot by what N instances let through in one interval: fine for per-client
 * request limits of thousands per minute (token, introspection, revocation), wrong for counting
 * failures, which use the store directly.
 */

export const SYNC_INTERVAL_MS = 250;

export type BatchedVerdict = { allowed: true } | { allowed: false; msBeforeNext: number; firstRefusal: boolean };

interface KeyState {
  /** The store's count at the last sync. */
  shared: number;
  /** Let through here since, not yet added to the store. */
  pending: number;
  /** When the store's window for this key ends (epoch ms). */
  windowEndsAt: number;
  syncedAt: number;
  syncing: Promise<void> | null;
  /** A sync scheduled for the end of the current interval. */
  timer: NodeJS.Timeout | null;
  /** The window in which a refusal was already reported (audited once per window). */
  refusedWindow: number;
  /**
   * The window's first sync, while it is in flight: requests arriving meanwhile wait for it
   * rather than each starting a window (and a store round trip) of their own.
   */
  opening: Promise<void> | null;
  /** Requests counted while the window opened, the opening one included. */
  arrivals: number;
}

export class BatchedLimiter {
  private readonly keys = new Map<string, KeyState>();

  constructor(
    private readonly store: RateLimiterAbstract,
    private readonly points: number,
    private readonly now: () => number = Date.now,
  ) {}

  async consume(key: string): Promise<BatchedVerdict> {
    let state = this.keys.get(key);
    if (state?.opening) {
      state.pending += 1;
      return this.judgeOnOpening(state, ++state.arrivals);
    }
    if (!state || state.windowEndsAt <= this.now()) {
      // The opening request counts itself before the window's first sync takes the pending count.
      state = { shared: 0, pending: 1, windowEndsAt: 0, syncedAt: 0, syncing: null, timer: null, refusedWindow: -1, opening: null, arrivals: 1 };
      this.keys.set(key, state);
      this.evictExpired();
      const opened = state;
      opened.opening = this.sync(key, opened).finally(() => {
        opened.opening = null;
      });
      return this.judgeOnOpening(opened, 1);
    }
    if (state.shared + state.pending >= this.points) return this.refuse(state);
    state.pending += 1;
    this.scheduleSync(key, state);
    return { allowed: true };
  }

  /**
   * The verdict on the `position`-th request of a window whose first sync is in flight, once the
   * store's count is known. The first request's own point is in that count when the sync
   * succeeded, so what was there before this window opened is one less.
   */
  private async judgeOnOpening(state: KeyState, position: number): Promise<BatchedVerdict> {
    await state.opening;
    const before = Math.max(0, state.shared - 1);
    return before + position > this.points ? this.refuse(state) : { allowed: true };
  }

  /** Makes sure what was let through reaches the store within one interval. */
  private scheduleSync(key: string, state: KeyState): void {
    if (state.syncing || state.timer) return;
    const wait = SYNC_INTERVAL_MS - (this.now() - state.syncedAt);
    if (wait <= 0) {
      void this.sync(key, state);
      return;
    }
    state.timer = setTimeout(() => {
      state.timer = null;
      if (state.pending > 0) void this.sync(key, state);
    }, wait);
    state.timer.unref();
  }

  /** Adds the pending count to the store and learns the shared count and window. */
  private sync(key: string, state: KeyState): Promise<void> {
    const points = state.pending;
    state.pending = 0;
    state.syncing = (async () => {
      try {
        const result = await this.store.consume(key, points).catch((thrown: unknown) => {
          if (thrown instanceof RateLimiterRes) return thrown;
          throw thrown;
        });
        state.shared = result.consumedPoints;
        state.windowEndsAt = this.now() + result.msBeforeNext;
      } catch {
        // The store (and its insurance) failed: keep counting here; the next sync tries again.
        state.pending += points;
        state.windowEndsAt = Math.max(state.windowEndsAt, this.now() + SYNC_INTERVAL_MS);
      } finally {
        state.syncedAt = this.now();
        state.syncing = null;
        if (state.pending > 0) this.scheduleSync(key, state);
      }
    })();
    return state.syncing;
  }

  private refuse(state: KeyState): BatchedVerdict {
    const firstRefusal = state.refusedWindow !== state.windowEndsAt;
    state.refusedWindow = state.windowEndsAt;
    return { allowed: false, msBeforeNext: Math.max(0, state.windowEndsAt - this.now()), firstRefusal };
  }

  private evictExpired(): void {
    if (this.keys.size < 10_000) return;
    const now = this.now();
    for (const [key, state] of this.keys) if (state.windowEndsAt <= now && !state.syncing && !state.timer) this.keys.delete(key);
  }
}
