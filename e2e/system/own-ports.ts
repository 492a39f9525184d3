import net from 'node:net';
import { test } from '@playwright/test';

/**
 * Ports for the TLS, trust-proxy and graceful-shutdown specs: 3260-3299, split between two
 * workers. `freePort` in server.ts hands out 3200-3239 with the suite's two workers, so these
 * specs can also run beside other system specs started on their own (as they are during
 * development) without racing them for a port.
 */
const BASE = 3260;
const PER_WORKER = 20;
let counter = 0;

export async function ownPort(): Promise<number> {
  const slice = test.info().parallelIndex % 2;
  for (let attempt = 0; attempt < PER_WORKER; attempt++) {
    const port = BASE + slice * PER_WORKER + (counter++ % PER_WORKER);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in ${BASE + slice * PER_WORKER}..${BASE + slice * PER_WORKER + PER_WORKER - 1}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}
