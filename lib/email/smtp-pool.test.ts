import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestConfig } from '../../tests/support/config';
import { finishEmailDeliveries, sendEmailInBackground, settleEmailDeliveries, SMTP_POOL } from './send';

/** A mail server that takes 200 ms to accept each message and counts its connections. */
const counts = { open: 0, most: 0, opened: 0 };
const accepted: string[] = [];
let smtp: SMTPServer;
beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect(_session, callback) {
      counts.opened++;
      counts.most = Math.max(counts.most, ++counts.open);
      callback();
    },
    onClose() {
      counts.open--;
    },
    onData(stream, session, callback) {
      stream.resume().on('end', () =>
        setTimeout(() => {
          accepted.push(session.envelope.rcptTo[0]!.address);
          callback();
        }, 200),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  useTestConfig({ SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}` });
});
afterAll(async () => {
  useTestConfig();
  await new Promise<void>((resolve) => smtp.close(resolve));
});

describe('connections to the mail server', () => {
  it('are at most five at once and reused: twenty emails at once all arrive through five', async () => {
    expect(SMTP_POOL.maxConnections).toBe(5);
    const recipients = Array.from({ length: 20 }, (_, i) => `user${i}@example.com`);
    for (const to of recipients) sendEmailInBackground({ to, subject: 'S', text: 'T' }, 'security_notification');
    await settleEmailDeliveries();
    expect(accepted.toSorted()).toEqual(recipients.toSorted());
    expect(counts.most).toBe(5);
    expect(counts.opened).toBe(5);
  });

  it('are closed at shutdown, once every email is sent', async () => {
    sendEmailInBackground({ to: 'last@example.com', subject: 'S', text: 'T' }, 'security_notification');
    expect(await finishEmailDeliveries(5_000)).toBe(0);
    expect(accepted).toContain('last@example.com');
    await expect.poll(() => counts.open).toBe(0);
  });
});
