// BENCH_TRACE=1 (bench:compare): where in a timed run its slow answers fall. Per half second of
// the run, the answers' count, p50, p99 and slowest latency as autocannon timed them; and the
// load generator's own garbage-collection pauses, which delay the answers that arrive during them
// on whichever server is measured.
import { PerformanceObserver } from 'node:perf_hooks';

const SLICE_MS = 500;

/** The q-quantile of ascending `sorted` latencies, rounded to whole ms; null when there are none. */
export function quantile(sorted, q) {
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]) : null;
}

/** Starts recording an autocannon run begun at `started` (performance.now()); `report()` ends it and returns the lines. */
export function traceRun(job, started) {
  const answers = [];
  const pauses = [];
  job.on('response', (_client, _status, _bytes, latencyMs) => answers.push([performance.now() - started, latencyMs]));
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    report() {
      observer.disconnect();
      const slices = [];
      for (const [at, latency] of answers) (slices[Math.floor(at / SLICE_MS)] ??= []).push(latency);
      const lines = slices.flatMap((latencies, index) => {
        if (!latencies) return [];
        latencies.sort((a, b) => a - b);
        const from = (index * SLICE_MS) / 1000;
        return [`  ${from.toFixed(1)}–${(from + SLICE_MS / 1000).toFixed(1)} s: ${latencies.length} answers, p50 ${quantile(latencies, 0.5)} ms, p99 ${quantile(latencies, 0.99)} ms, slowest ${Math.round(latencies.at(-1))} ms`];
      });
      const total = pauses.reduce((sum, ms) => sum + ms, 0);
      lines.push(`  the load generator's GC: ${pauses.length} pauses, ${Math.round(total)} ms in all, the longest ${Math.round(Math.max(0, ...pauses))} ms`);
      return lines;
    },
  };
}
