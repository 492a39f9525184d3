// Preloaded into a server by system specs: on SIGUSR2 it writes to stderr
// - whether async hooks are running (async-context-gate.spec.ts). With promise hooks on, a promise
//   reaction runs under its promise's own async id; with them off, under id 0;
// - whether the global Date is still the built-in one this preload saw before anything else ran
//   (native-date.spec.ts).
import { executionAsyncId } from 'node:async_hooks';

const builtInDate = globalThis.Date;

process.on('SIGUSR2', () => {
  process.stderr.write(`date:${globalThis.Date === builtInDate && new Date(0).constructor === builtInDate ? 'native' : 'replaced'}\n`);
  void Promise.resolve().then(() => process.stderr.write(`async-hooks:${executionAsyncId() === 0 ? 'off' : 'on'}\n`));
});
