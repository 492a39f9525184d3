import { describe, expect, it } from 'vitest';
import { resultWithin } from './within';

describe('resultWithin', () => {
  it('gives what the work resolves to when it is in time, and undefined when it is not', async () => {
    expect(await resultWithin(Promise.resolve('done'), 1_000)).toBe('done');
    const slow = new Promise<string>((resolve) => setTimeout(resolve, 200, 'late'));
    const started = performance.now();
    expect(await resultWithin(slow, 20)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(150);
    expect(await slow).toBe('late'); // the work went on
  });

  it('passes a failure of the work on', async () => {
    await expect(resultWithin(Promise.reject(new Error('broken')), 1_000)).rejects.toThrow('broken');
  });
});
