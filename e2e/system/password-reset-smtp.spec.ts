import { expect, test } from '@playwright/test';
import { SMTPServer } from 'smtp-server';
import { jsonLines, killAll, newAccount, removeTempDirs, signIn, signUp, startServer, type OptareServer } from './server';

/**
 * Password reset end to end through a real SMTP server: Optare (its own process, SMTP_URL
 * pointing at the test's server on loopback) mails the link, the browser follows it and sets a
 * new password, and the old password stops working.
 *
 * Ports: Optare on 3230-3239 (this spec's own range), SMTP on 2625.
 */

const SMTP_PORT = 2625;

// One SMTP server and one Optare for both tests: they run in one worker, in order.
test.describe.configure({ mode: 'serial' });

interface Received {
  to: string[];
  raw: string;
}

const inbox: Received[] = [];
/** How long the SMTP server takes to accept a message once it has it all (the shutdown test slows it). */
let acceptAfterMs = 0;
/** Messages the SMTP server has received but not yet accepted. */
let receiving = 0;
let smtp: SMTPServer;
let optare: OptareServer;

test.beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        receiving++;
        setTimeout(() => {
          receiving--;
          inbox.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw });
          callback();
        }, acceptAfterMs);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(SMTP_PORT, '127.0.0.1', () => resolve());
  });
  optare = await startServer({
    port: 3230,
    env: { SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`, SMTP_FROM: 'Optare <id@example.test>', LOG_LEVEL: 'info' },
  });
});

test.afterAll(async () => {
  await killAll();
  removeTempDirs();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** The text body of a message, quoted-printable decoded (nodemailer's choice for text). */
function textOf(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function waitForMail(to: string, subject: string): Promise<string> {
  let found: Received | undefined;
  await expect
    .poll(() => (found = inbox.find((mail) => mail.to.includes(to) && mail.raw.includes(`Subject: ${subject}`))), { timeout: 15_000 })
    .toBeTruthy();
  return found!.raw;
}

test('a reset link from a real SMTP server sets a new password, and the old one stops working', async ({ page }) => {
  const account = newAccount('reset');
  expect((await signUp(optare.url, account)).status).toBe(201);

  await page.goto(`${optare.url}/sign-in`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel('Email').fill(account.email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account uses that address, we have sent it a link.')).toBeVisible();

  const raw = await waitForMail(account.email, 'Reset your password');
  expect(raw).toMatch(/^From: Optare <id@example\.test>/m);
  const text = textOf(raw);
  const link = /(http:\/\/localhost:\d+\/reset-password#token=[A-Za-z0-9_-]{43})/.exec(text)?.[1];
  expect(link, text).toBeTruthy();
  // The token never reached the server's logs.
  expect(optare.stdout() + optare.stderr()).not.toContain(link!.split('#token=')[1]!);

  await page.goto(link!);
  await expect(page).toHaveURL(/\/reset-password$/); // the token left the address bar
  const newPassword = 'a fresh reset passphrase 42';
  await page.getByRole('textbox', { name: 'New password' }).fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page).toHaveURL(/\/sign-in\?reset=1$/);
  await expect(page.getByText('Your password has been changed')).toBeVisible();

  expect((await signIn(optare.url, account)).status).toBe(401);
  expect((await signIn(optare.url, { email: account.email, password: newPassword })).status).toBe(200);
  await waitForMail(account.email, 'Your password was changed');

  // The link is single-use: opening it again and submitting is refused, and the password stays.
  await page.goto(link!);
  await page.getByRole('textbox', { name: 'New password' }).fill('yet another passphrase 43');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('This reset link is not valid')).toBeVisible();
  expect((await signIn(optare.url, { email: account.email, password: newPassword })).status).toBe(200);
});

test('asking for a reset of an unknown address answers the same and sends nothing', async ({ page }) => {
  const before = inbox.length;
  await page.goto(`${optare.url}/forgot-password`);
  await page.getByLabel('Email').fill(`nobody-${Date.now()}@example.com`);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account uses that address, we have sent it a link.')).toBeVisible();
  await page.waitForTimeout(1000);
  expect(inbox.length).toBe(before);
});

test('sign-up sends a verification link through SMTP; the page confirms the address once', async ({ page }) => {
  const account = newAccount('verify');
  await page.goto(`${optare.url}/sign-up`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Display name').fill(account.name);
  await page.getByRole('textbox', { name: 'Password' }).fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(`${optare.url}/`);

  const text = textOf(await waitForMail(account.email, 'Confirm your email address'));
  const link = /(http:\/\/localhost:\d+\/verify-email#token=[A-Za-z0-9_-]{43})/.exec(text)?.[1];
  expect(link, text).toBeTruthy();
  await page.goto(link!);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page).toHaveURL(/\/verify-email\?verified=1$/);
  await expect(page.getByText('your email address is confirmed')).toBeVisible();

  await page.goto(link!);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page.getByText('This confirmation link is not valid')).toBeVisible();
});

test('on SIGTERM, an email still being sent is delivered before the server stops', async () => {
  const account = newAccount('shutdown');
  expect((await signUp(optare.url, account)).status).toBe(201);
  await waitForMail(account.email, 'Confirm your email address');
  const resetsSent = (lines: Array<Record<string, unknown>>) => lines.filter((line) => line.msg === 'email sent' && line.kind === 'reset_password').length;
  const sentBefore = resetsSent(jsonLines(optare.stdout())); // the earlier tests' resets
  acceptAfterMs = 3_000;
  const asked = await fetch(`${optare.url}/api/auth/password-reset/request`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email }),
  });
  expect(asked.status).toBe(200);
  await expect.poll(() => receiving, { timeout: 10_000 }).toBe(1); // the message is with the mail server, not yet accepted
  const exit = await optare.stop('SIGTERM');
  expect(exit.code, optare.stderr()).toBe(0);
  const log = jsonLines(optare.stdout());
  const stopped = log.findIndex((line) => line.msg === 'stopped');
  expect(stopped).toBeGreaterThan(-1);
  expect(resetsSent(log.slice(0, stopped)), 'the reset email was sent before the server stopped').toBe(sentBefore + 1);
  expect(inbox.some((mail) => mail.to.includes(account.email) && mail.raw.includes('Subject: Reset your password'))).toBe(true);
});
