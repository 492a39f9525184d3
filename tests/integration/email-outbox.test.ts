import fs from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestConfig } from '../support/config';
import { installLogger, logger } from '../../lib/log/logger';
import { sendEmail, sendEmailInBackground, settleEmailDeliveries } from '../../lib/email/send';
import { outbox, outboxDir } from './email-support';

/** The development outbox: one file per message, private to the user, and logs that never carry a link. */

const lines: string[] = [];
const previous = logger();
beforeAll(() => {
  useTestConfig();
  installLogger(pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) })));
});
afterAll(() => installLogger(previous));

const SECRET_LINK = 'https://id.example.test/reset-password#token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('the development outbox (no SMTP_URL)', () => {
  it('writes each message to its own .eml file, mode 0600, in a 0700 directory, and logs the path only', async () => {
    lines.length = 0;
    await sendEmail({ to: 'ada@example.com', subject: 'Reset your password', text: `Open ${SECRET_LINK}` }, 'reset_password');
    await sendEmail({ to: 'bob@example.com', subject: 'Second', text: 'Body two' }, 'security_notification');
    const messages = await outbox();
    expect(messages).toHaveLength(2);
    expect(new Set(messages.map((message) => message.file)).size).toBe(2);
    for (const message of messages) {
      expect(message.file).toMatch(/\.eml$/);
      expect(fs.statSync(message.file).mode & 0o777).toBe(0o600);
    }
    expect(fs.statSync(outboxDir()).mode & 0o777).toBe(0o700);
    const first = messages.find((message) => message.to === 'ada@example.com')!;
    expect(first.subject).toBe('Reset your password');
    expect(first.text).toContain(SECRET_LINK);
    expect(fs.readFileSync(first.file, 'utf8')).toMatch(/^From: Optare <no-reply@localhost>$/m);

    const log = lines.join('');
    expect(log).toContain(first.file);
    expect(log).toContain('"kind":"reset_password"');
    expect(log).not.toContain('token=');
    expect(log).not.toContain('AAAAAAAAAAAAAAAAAAAA');
    expect(log).not.toContain('Open ');
  });

  it('keeps a subject with line breaks on one header line (no header injection)', async () => {
    await sendEmail({ to: 'eve@example.com', subject: 'Hi\r\nBcc: victim@example.com', text: 'x' }, 'security_notification');
    const message = (await outbox()).find((candidate) => candidate.to === 'eve@example.com')!;
    expect(message.subject).toBe('Hi Bcc: victim@example.com');
    expect(fs.readFileSync(message.file, 'utf8')).not.toMatch(/^Bcc:/m);
  });

  it('delivers in the background and logs a failure instead of throwing', async () => {
    useTestConfig({ SMTP_URL: 'smtp://127.0.0.1:1' });
    lines.length = 0;
    expect(() => sendEmailInBackground({ to: 'x@example.com', subject: 'S', text: `link ${SECRET_LINK}` }, 'reset_password')).not.toThrow();
    await settleEmailDeliveries();
    const log = lines.join('');
    expect(log).toContain('email could not be sent');
    expect(log).not.toContain('token=');
    useTestConfig();
  });
});
