/**
 * Next.js replaces the global `Date` when it loads (next/dist/server/node-environment-extensions/
 * date.js) with a function that reports each read of the clock to its `cacheComponents`
 * prerenders, then constructs the real Date with itself as `new.target`. V8 finds no cached
 * object shape for that pairing, so every `new Date(…)` in the process, the driver's parsing of
 * each timestamp column included, builds a fresh hidden class: 600 ns a Date instead of 40 to 80
 * (docs/decisions.md, "Next.js's Date wrapper undone, response headers as lists (measured)").
 *
 * Optare does not enable `cacheComponents` (next.config.mjs), and without it the wrapper's report
 * does nothing, so the server puts the built-in back once Next.js has loaded. This module must be
 * evaluated before Next.js is: main.ts imports Next.js dynamically, after it.
 */
const NATIVE_DATE = globalThis.Date;

/** Puts back the Date this module saw when it was evaluated; returns whether one had replaced it. */
export function restoreNativeDate(): boolean {
  if (globalThis.Date === NATIVE_DATE) return false;
  globalThis.Date = NATIVE_DATE;
  Object.defineProperty(NATIVE_DATE.prototype, 'constructor', { value: NATIVE_DATE, writable: true, enumerable: false, configurable: true });
  return true;
}
