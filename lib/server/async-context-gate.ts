import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface AsyncContextGate {
  /**
   * Next.js's request handler, its requests counted: each is in flight from its start until its
   * handler has settled and its response has closed, whichever comes last.
   */
  track(handle: Handler): Handler;
  /** Restores AsyncLocalStorage's methods (for tests; the server keeps its gate for life). */
  uninstall(): void;
}

/** How long no Next.js request must have been in flight before the contexts are disabled. */
export const IDLE_MS = 1_000;

/**
 * Next.js and React keep each request's state in AsyncLocalStorage instances. Where those run on
 * async hooks (Node.js before 24), one enabled instance makes the whole process run hooks for
 * every promise, tick, timer and socket it creates, and an instance stays enabled once entered:
 * after the first page, the protocol endpoints, which never read them, paid for them on every
 * request (client_credentials: a fifth of its event loop; docs/decisions.md, "Next.js's request
 * contexts are switched off while it serves nothing").
 *
 * The gate records the instances entered while Next.js serves a request and, once none has been
 * in flight for `idleMs`, disables them; the hooks go off with the last enabled instance.
 * Next.js's next request enables them again (`run` and `enterWith` do). `idleMs` leaves time for
 * what Next.js defers past a response (its close callbacks run on a zero-delay timer). Instances
 * entered outside Next.js's requests are left alone. Returns null where AsyncLocalStorage does not
 * use async hooks.
 */
export function gateAsyncContexts(idleMs = IDLE_MS): AsyncContextGate | null {
  if (!asyncLocalStorageUsesHooks(process.versions.node, [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)])) return null;
  const prototype = AsyncLocalStorage.prototype;
  const { run, enterWith } = prototype;
  const entered = new Set<AsyncLocalStorage<unknown>>();
  let inFlight = 0;
  let idle: NodeJS.Timeout | null = null;

  prototype.run = function (this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof run>) {
    if (inFlight > 0) entered.add(this);
    return run.apply(this, args);
  } as typeof run;
  prototype.enterWith = function (this: AsyncLocalStorage<unknown>, store: unknown) {
    if (inFlight > 0) entered.add(this);
    enterWith.call(this, store);
  };

  const disableWhenIdle = () => {
    idle = null;
    if (inFlight > 0) return;
    for (const storage of entered) storage.disable();
    entered.clear();
  };
  const release = () => {
    if (--inFlight > 0) return;
    if (idle) idle.refresh();
    else idle = setTimeout(disableWhenIdle, idleMs).unref();
  };

  return {
    track: (handle) => (req, res) => {
      inFlight++;
      let pending = 2;
      const settle = () => {
        if (--pending === 0) release();
      };
      res.once('close', settle);
      const handled = handle(req, res);
      handled.then(settle, settle);
      return handled;
    },
    uninstall: () => {
      prototype.run = run;
      prototype.enterWith = enterWith;
      if (idle) clearTimeout(idle);
    },
  };
}

/**
 * Whether AsyncLocalStorage runs on async hooks: before Node.js 24 unless
 * --experimental-async-context-frame is given, from 24 on only with --no-async-context-frame.
 */
export function asyncLocalStorageUsesHooks(nodeVersion: string, flags: readonly string[]): boolean {
  const major = Number(nodeVersion.split('.')[0]);
  return major < 24 ? !flags.includes('--experimental-async-context-frame') : flags.includes('--no-async-context-frame');
}
