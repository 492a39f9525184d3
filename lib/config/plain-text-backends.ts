/**
 * In production every connection to a backend outside this machine must be encrypted (ASVS
 * 12.3.1): SMTP carries password-reset links, PostgreSQL and Redis carry sessions, tokens and
 * counters. Loopback addresses and Unix sockets never leave the machine and stay allowed (as do
 * CI's and the system specs' local PostgreSQL and Redis).
 */
export interface BackendUrls {
  SMTP_URL?: string;
  REDIS_URL?: string;
  DATABASE_URL?: string;
}

const ENCRYPTED_SSLMODES = new Set(['require', 'verify-ca', 'verify-full']);

/** The problems to report for plain-text backend URLs; empty when every backend is encrypted or local. */
export function plainTextBackendProblems({ SMTP_URL, REDIS_URL, DATABASE_URL }: BackendUrls): string[] {
  const problems: string[] = [];
  if (SMTP_URL && !smtpIsEncrypted(SMTP_URL)) {
    problems.push(
      'SMTP_URL: must be encrypted in production: use smtps://… (TLS from the start) or smtp://…?requireTLS=true (STARTTLS required); plain smtp:// is allowed only to a loopback address',
    );
  }
  if (REDIS_URL && !redisIsEncrypted(REDIS_URL)) {
    problems.push('REDIS_URL: must be a rediss:// (TLS) URL in production; plain redis:// is allowed only to a loopback address');
  }
  if (DATABASE_URL && !databaseIsEncrypted(DATABASE_URL)) {
    problems.push(
      'DATABASE_URL: must ask for TLS in production: add ?sslmode=verify-full (or verify-ca, require); only a loopback address or a Unix socket may go without',
    );
  }
  return problems;
}

function smtpIsEncrypted(value: string): boolean {
  const url = parse(value);
  if (!url) return false;
  if (isLoopback(url.hostname)) return true;
  // nodemailer reads options from the query string; ignoreTLS would skip STARTTLS even when required.
  if (url.searchParams.get('ignoreTLS') === 'true') return false;
  return url.protocol === 'smtps:' || url.searchParams.get('secure') === 'true' || url.searchParams.get('requireTLS') === 'true';
}

function redisIsEncrypted(value: string): boolean {
  const url = parse(value);
  if (!url) return false;
  return url.protocol === 'rediss:' || isLoopback(url.hostname);
}

/** libpq's rules, as node-postgres follows them: `host` in the query wins; a path there is a Unix socket. */
function databaseIsEncrypted(value: string): boolean {
  const url = parse(value);
  if (!url) return false;
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode !== null && ENCRYPTED_SSLMODES.has(sslmode)) return true;
  const host = url.searchParams.get('host') ?? safeDecode(url.hostname);
  return host === '' || host.startsWith('/') || isLoopback(host);
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function parse(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
