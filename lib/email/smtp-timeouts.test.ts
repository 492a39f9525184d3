import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestConfig } from '../../tests/support/config';
import { sendEmail, SMTP_TIMEOUTS } from './send';

/** A mail server that accepts connections and never says a word (a hung or overloaded one). */
let silent: net.Server;
let port: number;
beforeAll(async () => {
  silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as AddressInfo).port;
});
afterAll(() => {
  useTestConfig();
  silent.close();
});

/** How long sendEmail took to give up, in ms, and its error. */
async function failedDelivery(): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await sendEmail({ to: 'ada@example.com', subject: 'S', text: 'T' }, 'security_notification').then(
    () => null,
    (thrown: unknown) => thrown,
  );
  return { ms: performance.now() - started, error };
}

describe('SMTP timeouts', () => {
  it('are 10 s to connect, 10 s for the greeting and 30 s of silence', () => {
    expect(SMTP_TIMEOUTS).toEqual({ connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  });

  it('give up on a mail server that never greets after 10 s, not nodemailer’s 30', { timeout: 20_000 }, async () => {
    useTestConfig({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    const { ms, error } = await failedDelivery();
    expect(String(error)).toMatch(/greeting/i);
    expect(ms).toBeGreaterThan(9_500);
    expect(ms).toBeLessThan(12_000);
  });

  it('can be set in SMTP_URL’s query', async () => {
    useTestConfig({ SMTP_URL: `smtp://127.0.0.1:${port}/?greetingTimeout=500` });
    const { ms, error } = await failedDelivery();
    expect(String(error)).toMatch(/greeting/i);
    expect(ms).toBeLessThan(2_000);
  });
});
