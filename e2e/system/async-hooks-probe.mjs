// Preloaded into a server by async-context-gate.spec.ts: on SIGUSR2 it writes to stderr whether
// async hooks are running. With promise hooks on, a promise reaction runs under its promise's own
// async id; with them off, under id 0.
import { executionAsyncId } from 'node:async_hooks';

process.on('SIGUSR2', () => {
  void Promise.resolve().then(() => process.stderr.write(`async-hooks:${executionAsyncId() === 0 ? 'off' : 'on'}\n`));
});
