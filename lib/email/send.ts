import 'server-only';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { getConfig } from '../config';
import { resultWithin } from '../async/within';
import { logger } from '../log/logger';

/** A plain-text email. `text` may hold one link with a token: it never reaches a log line. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

export type EmailKind =
  | 'verify_email'
  | 'reset_password'
  | 'change_email'
  | 'email_change_notice'
  | 'sign_up_attempt_notice'
  | 'security_notification';

const GLOBAL_KEY = Symbol.for('optare.email');
type State = { transporter: Transporter | null; url: string | null; inFlight: Set<Promise<void>> };
function state(): State {
  const holder = globalThis as { [GLOBAL_KEY]?: State };
  holder[GLOBAL_KEY] ??= { transporter: null, url: null, inFlight: new Set() };
  return holder[GLOBAL_KEY];
}

/**
 * How long a delivery waits on the mail server, in ms (nodemailer's own defaults are 2 minutes
 * to connect and 10 minutes of silence); SMTP_URL's query can set each, e.g. `?socketTimeout=60000`.
 * A delivery that fails is logged and not retried.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/**
 * At most this many connections to the mail server per process, reused from one email to the
 * next and closed after a minute idle; more emails at once wait their turn in memory. Mail
 * servers often cap connections per client, and a burst of sign-ups would otherwise open one each.
 */
export const SMTP_POOL = { pool: true, maxConnections: 5, idleTimeout: 60_000 } as const;

function smtpTransporter(url: string): Transporter {
  const current = state();
  if (current.transporter && current.url === url) return current.transporter;
  current.transporter?.close();
  current.transporter = nodemailer.createTransport({ ...SMTP_TIMEOUTS, ...SMTP_POOL, url });
  current.url = url;
  return current.transporter;
}

/**
 * Sends one email: through SMTP_URL, or, without it (development only: production refuses to
 * start), into `<data dir>/outbox/` as one `.eml` file per message (file 0600, directory 0700).
 * Logs the kind, and the outbox file's path; never the body, which may hold a link with a token.
 * Throws when the mail server refuses or cannot be reached.
 */
export async function sendEmail(message: EmailMessage, kind: EmailKind): Promise<void> {
  const { email } = getConfig();
  if (email.transport.kind === 'smtp') {
    await smtpTransporter(email.transport.url).sendMail({ from: email.from, to: message.to, subject: message.subject, text: message.text });
    logger().info({ kind }, 'email sent');
    return;
  }
  const file = await writeToOutbox(email.transport.dir, email.from, message);
  logger().info({ kind, file }, 'email written to the development outbox (no SMTP_URL set)');
}

/**
 * Sends in the background: the caller answers without waiting for the mail server (so an
 * answer takes as long whether or not an email goes out). A failure is logged, never thrown.
 */
export function sendEmailInBackground(message: EmailMessage, kind: EmailKind): void {
  const delivery = sendEmail(message, kind)
    .catch((error: unknown) => {
      logger().error({ kind, err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, 'email could not be sent');
    })
    .finally(() => state().inFlight.delete(delivery));
  state().inFlight.add(delivery);
}

/** Waits for every background delivery started so far (tests, and a graceful shutdown). */
export async function settleEmailDeliveries(): Promise<void> {
  while (state().inFlight.size > 0) await Promise.all([...state().inFlight]);
}

/**
 * At shutdown: waits for the deliveries still in flight, at most `ms`, then closes the
 * connections to the mail server. Returns how many were left unfinished (0 when all were done).
 */
export async function finishEmailDeliveries(ms: number): Promise<number> {
  await resultWithin(settleEmailDeliveries(), ms);
  const current = state();
  current.transporter?.close();
  current.transporter = null;
  current.url = null;
  return current.inFlight.size;
}

async function writeToOutbox(dir: string, from: string, message: EmailMessage): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  const now = new Date();
  const name = `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
  const file = path.join(dir, name);
  const content = [
    `From: ${headerValue(from)}`,
    `To: ${headerValue(message.to)}`,
    `Subject: ${headerValue(message.subject)}`,
    `Date: ${now.toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    message.text,
  ].join('\n');
  await fs.writeFile(file, content, { mode: 0o600, flag: 'wx' });
  return file;
}

/** A header value on one line: no CR or LF can start a header of its own. */
function headerValue(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
