/**
 * What `work` resolves to, if it does within `ms`; undefined once `ms` have passed first. The
 * work goes on either way; only the wait ends. Its timer never outlives the wait.
 */
export async function resultWithin<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
