import { describe, expect, it } from 'vitest';
import { hashLaneCount, hashPassword, inHashLane, verifyPassword } from './passwords';

/** A promise and the functions that settle it, for work whose end the test decides. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('password hash lanes', () => {
  it('take half of the thread pool, at least one', () => {
    expect(hashLaneCount(1)).toBe(1);
    expect(hashLaneCount(2)).toBe(1);
    expect(hashLaneCount(3)).toBe(1);
    expect(hashLaneCount(8)).toBe(4);
  });

  it('run no more hashes at once than there are lanes, the others in the order they came', async () => {
    const lanes = hashLaneCount();
    const jobs = Array.from({ length: lanes + 3 }, () => deferred<number>());
    const started: number[] = [];
    const results = jobs.map((job, index) =>
      inHashLane(() => {
        started.push(index);
        return job.promise;
      }),
    );
    const settled = Promise.allSettled(results);
    await settle();
    expect(started).toEqual(Array.from({ length: lanes }, (_, index) => index));

    jobs[0]!.resolve(0);
    await settle();
    expect(started).toEqual(Array.from({ length: lanes + 1 }, (_, index) => index));

    // A failed hash frees its lane too.
    jobs[1]?.reject(new Error('hash failed'));
    for (const [index, job] of jobs.entries()) if (index > 1) job.resolve(index);
    await settle();
    await settle();
    expect(started).toEqual(jobs.map((_, index) => index));
    const outcomes = await settled;
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 0 });
    expect(outcomes[1]!.status).toBe('rejected');
    expect(outcomes.slice(2).map((outcome) => outcome.status === 'fulfilled' && outcome.value)).toEqual(jobs.slice(2).map((_, index) => index + 2));

    // Every lane is free again: as many jobs as lanes start at once.
    const again = Array.from({ length: lanes }, () => deferred());
    let running = 0;
    const more = again.map((job) =>
      inHashLane(() => {
        running++;
        return job.promise;
      }),
    );
    await settle();
    expect(running).toBe(lanes);
    for (const job of again) job.resolve();
    await Promise.all(more);
  });

  it('still verify argon2id hashes: right, wrong and no stored hash, several at once', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const answers = await Promise.all([
      verifyPassword(stored, 'correct horse battery staple'),
      verifyPassword(stored, 'wrong horse battery staple'),
      verifyPassword(null, 'correct horse battery staple'),
      verifyPassword('not a hash', 'correct horse battery staple'),
      verifyPassword(stored, 'correct horse battery staple'),
    ]);
    expect(answers).toEqual([true, false, false, false, true]);
  });
});
