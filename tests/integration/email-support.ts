import fs from 'node:fs';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { getConfig } from '../../lib/config';
import { settleEmailDeliveries } from '../../lib/email/send';

export interface OutboxMessage {
  file: string;
  to: string;
  subject: string;
  text: string;
}

export function outboxDir(): string {
  const { transport } = getConfig().email;
  if (transport.kind !== 'outbox') throw new Error('the test configuration has SMTP');
  return transport.dir;
}

/** Every message in the development outbox (after background deliveries settled), oldest first. */
export async function outbox(): Promise<OutboxMessage[]> {
  await settleEmailDeliveries();
  const dir = outboxDir();
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const raw = fs.readFileSync(file, 'utf8');
      const [head, ...body] = raw.split('\n\n');
      const header = (field: string) => new RegExp(`^${field}: (.*)$`, 'm').exec(head!)?.[1] ?? '';
      return { file, to: header('To'), subject: header('Subject'), text: body.join('\n\n') };
    });
}

/** The messages sent to `to`. */
export async function mailTo(to: string): Promise<OutboxMessage[]> {
  return (await outbox()).filter((message) => message.to === to);
}

/** The token of the one link in a message. */
export function linkToken(message: OutboxMessage | undefined): string {
  const match = /#token=([A-Za-z0-9_-]{43})/.exec(message?.text ?? '');
  if (!match) throw new Error(`no link in ${JSON.stringify(message?.text)}`);
  return match[1]!;
}

export function jsonPost(issuer: string, pathname: string, body: unknown, cookies: Record<string, string> = {}, ip = '198.51.100.9'): NextRequest {
  const cookie = Object.entries(cookies).map(([name, value]) => `${name}=${value}`).join('; ');
  return new NextRequest(`${issuer}${pathname}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: issuer,
      'x-optare-client-ip': ip,
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(body),
  });
}
