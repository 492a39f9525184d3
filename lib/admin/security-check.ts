/**
 * The dashboard's security check: each rule is a pure function of facts gathered elsewhere
 * (lib/admin/dashboard.ts), returning a warning or null, so each is tested on its own.
 */

export type WarningSeverity = 'critical' | 'warning';

export interface SecurityWarning {
  /** Stable, for tests and for the page's element ids. */
  id:
    | 'admins_without_mfa'
    | 'api_keys_due_for_rotation'
    | 'signing_key_overdue'
    | 'issuer_not_https'
    | 'development_encryption_key'
    | 'clients_without_pkce';
  severity: WarningSeverity;
  title: string;
  detail: string;
  /** Where in the console to fix it, if anywhere. */
  href?: string;
}

const DAY_SECONDS = 86_400;

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function listOf(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * Administrators without a second factor: the console will not let them in until they enroll,
 * but their password alone still signs them in elsewhere (account pages, apps).
 */
export function adminsWithoutMfa(admins: readonly { email: string; hasSecondFactor: boolean }[]): SecurityWarning | null {
  const without = admins.filter((admin) => !admin.hasSecondFactor).map((admin) => admin.email);
  if (without.length === 0) return null;
  return {
    id: 'admins_without_mfa',
    severity: 'critical',
    title: `${plural(without.length, 'administrator has', 'administrators have')} no second factor`,
    detail: `${listOf(without)}: their password alone signs them in. They must set up an authenticator app or a passkey; the console asks them to at their next visit.`,
    href: '/admin/users?admin=true',
  };
}

/** Active API keys older than OPTARE_API_KEY_ROTATION_AGE: rotate them (the old key keeps working during the overlap). */
export function apiKeysDueForRotation(
  keys: readonly { name: string; prefix: string; createdAt: Date }[],
  rotationAgeSeconds: number,
  now: Date,
): SecurityWarning | null {
  const due = keys.filter((key) => now.getTime() - key.createdAt.getTime() >= rotationAgeSeconds * 1000);
  if (due.length === 0) return null;
  return {
    id: 'api_keys_due_for_rotation',
    severity: 'warning',
    title: `${plural(due.length, 'API key is', 'API keys are')} due for rotation`,
    detail: `${listOf(due.map((key) => `${key.name} (${key.prefix})`))} ${due.length === 1 ? 'is' : 'are'} older than ${Math.round(rotationAgeSeconds / DAY_SECONDS)} days.`,
    href: '/admin/api-keys',
  };
}

/**
 * An active signing key (one per algorithm in use) is older than OPTARE_SIGNING_KEY_ROTATION:
 * Optare rotates each on its own when it comes of age, so an overdue key means that rotation keeps
 * failing. No key for the default algorithm (OPTARE_DEFAULT_SIGNING_ALG) means no token can be
 * signed for clients that have not chosen one.
 */
export function signingKeyOverdue(
  active: readonly { kid: string; alg: string; createdAt: Date }[],
  defaultAlg: string,
  rotationSeconds: number,
  now: Date,
): SecurityWarning | null {
  if (!active.some((key) => key.alg === defaultAlg)) {
    return {
      id: 'signing_key_overdue',
      severity: 'critical',
      title: 'No active signing key',
      detail: `Optare cannot sign ${defaultAlg} tokens (OPTARE_DEFAULT_SIGNING_ALG) until a key exists. Rotate now to create one, and check the server log.`,
      href: '/admin/keys',
    };
  }
  const ageDays = (key: { createdAt: Date }) => Math.floor((now.getTime() - key.createdAt.getTime()) / 1000 / DAY_SECONDS);
  const overdue = active.filter((key) => (now.getTime() - key.createdAt.getTime()) / 1000 >= rotationSeconds);
  if (overdue.length === 0) return null;
  const rotationDays = Math.round(rotationSeconds / DAY_SECONDS);
  const which =
    overdue.length === 1
      ? `Key ${overdue[0]!.kid} (${overdue[0]!.alg}) is ${ageDays(overdue[0]!)} days old`
      : `Keys ${listOf(overdue.map((key) => `${key.kid} (${key.alg}, ${ageDays(key)} days old)`))} are overdue`;
  return {
    id: 'signing_key_overdue',
    severity: 'warning',
    title: overdue.length === 1 ? 'The signing key is overdue for rotation' : `${overdue.length} signing keys are overdue for rotation`,
    detail: `${which}; keys are replaced after ${rotationDays} days (OPTARE_SIGNING_KEY_ROTATION). Rotate now, and check the server log for why the automatic rotation did not happen.`,
    href: '/admin/keys',
  };
}

/** The issuer is plain HTTP: tokens, codes and session cookies travel unencrypted. */
export function issuerNotHttps(issuer: string, production: boolean): SecurityWarning | null {
  let protocol: string;
  try {
    protocol = new URL(issuer).protocol;
  } catch {
    protocol = '';
  }
  if (protocol === 'https:') return null;
  return {
    id: 'issuer_not_https',
    severity: production ? 'critical' : 'warning',
    title: 'The issuer is not on HTTPS',
    detail: `${issuer} is served over plain HTTP: tokens, authorization codes and session cookies can be read on the network. Set OPTARE_ISSUER to an https:// URL (with OPTARE_TLS_CERT and OPTARE_TLS_KEY, or behind a TLS-terminating proxy).`,
  };
}

/** No OPTARE_ENCRYPTION_KEY: secrets at rest are sealed with a key generated in the data directory, next to the data. */
export function developmentEncryptionKey(source: 'environment' | 'data-dir'): SecurityWarning | null {
  if (source === 'environment') return null;
  return {
    id: 'development_encryption_key',
    severity: 'critical',
    title: 'A development encryption key is in use',
    detail: 'OPTARE_ENCRYPTION_KEY is not set, so signing keys and authenticator secrets are sealed with a key generated in the data directory, stored next to what it protects. Set OPTARE_ENCRYPTION_KEY (32 random bytes, base64) and keep it apart from the database.',
  };
}

/**
 * Enabled clients allowed to skip PKCE (requirePkce off): their requests without a
 * code_challenge are protected against code injection only if the app sends and checks an
 * OpenID Connect nonce (RFC 9700 §2.1.1), which Optare cannot demand (OIDC Core makes it optional
 * in the code flow). Worth knowing, and turning PKCE back on where the client can.
 */
export function clientsWithoutPkce(clients: readonly { id: string; name: string }[]): SecurityWarning | null {
  if (clients.length === 0) return null;
  return {
    id: 'clients_without_pkce',
    severity: 'warning',
    title: `${plural(clients.length, 'client may', 'clients may')} skip PKCE`,
    detail: `${listOf(clients.map((client) => client.name))}: ${clients.length === 1 ? 'its' : 'their'} requests without PKCE are protected against code injection only if the app sends and checks a nonce. Turn "Require PKCE" back on once the app sends code_challenge.`,
    href: clients.length === 1 ? `/admin/clients/${encodeURIComponent(clients[0]!.id)}` : '/admin/clients',
  };
}

export interface SecurityFacts {
  admins: readonly { email: string; hasSecondFactor: boolean }[];
  activeApiKeys: readonly { name: string; prefix: string; createdAt: Date }[];
  apiKeyRotationAgeSeconds: number;
  /** The newest active key of each algorithm. */
  activeSigningKeys: readonly { kid: string; alg: string; createdAt: Date }[];
  defaultSigningAlg: string;
  signingKeyRotationSeconds: number;
  issuer: string;
  production: boolean;
  encryptionKeySource: 'environment' | 'data-dir';
  /** Enabled clients with requirePkce off. */
  clientsWithoutPkce: readonly { id: string; name: string }[];
  now: Date;
}

/** Every rule, critical first. */
export function securityWarnings(facts: SecurityFacts): SecurityWarning[] {
  const warnings = [
    adminsWithoutMfa(facts.admins),
    developmentEncryptionKey(facts.encryptionKeySource),
    issuerNotHttps(facts.issuer, facts.production),
    signingKeyOverdue(facts.activeSigningKeys, facts.defaultSigningAlg, facts.signingKeyRotationSeconds, facts.now),
    apiKeysDueForRotation(facts.activeApiKeys, facts.apiKeyRotationAgeSeconds, facts.now),
    clientsWithoutPkce(facts.clientsWithoutPkce),
  ].filter((warning): warning is SecurityWarning => warning !== null);
  return warnings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1));
}
