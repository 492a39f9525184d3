import { describe, expect, it } from 'vitest';
import {
  adminsWithoutMfa,
  apiKeysDueForRotation,
  clientsWithoutPkce,
  developmentEncryptionKey,
  issuerNotHttps,
  securityWarnings,
  signingKeyOverdue,
  type SecurityFacts,
} from './security-check';

const DAY = 86_400;

describe('clients without PKCE', () => {
  it('names the enabled clients allowed to skip PKCE and links to the one or to the list', () => {
    expect(clientsWithoutPkce([])).toBeNull();
    const one = clientsWithoutPkce([{ id: 'oc_1', name: 'Legacy portal' }]);
    expect(one).toMatchObject({ id: 'clients_without_pkce', severity: 'warning', href: '/admin/clients/oc_1' });
    expect(one!.detail).toContain('Legacy portal');
    expect(one!.detail).toContain('nonce');
    const two = clientsWithoutPkce([
      { id: 'oc_1', name: 'Legacy portal' },
      { id: 'oc_2', name: 'Intranet' },
    ]);
    expect(two!.title).toBe('2 clients may skip PKCE');
    expect(two!.href).toBe('/admin/clients');
  });
});
const NOW = new Date('2026-11-30T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY * 1000);

describe('admins without MFA', () => {
  it('names each administrator without a second factor, and says nothing when all have one', () => {
    expect(adminsWithoutMfa([{ email: 'a@example.com', hasSecondFactor: true }])).toBeNull();
    expect(adminsWithoutMfa([])).toBeNull();
    const warning = adminsWithoutMfa([
      { email: 'a@example.com', hasSecondFactor: true },
      { email: 'b@example.com', hasSecondFactor: false },
      { email: 'c@example.com', hasSecondFactor: false },
    ]);
    expect(warning).toMatchObject({ id: 'admins_without_mfa', severity: 'critical', title: '2 administrators have no second factor' });
    expect(warning!.detail).toContain('b@example.com, c@example.com');
    expect(warning!.detail).not.toContain('a@example.com');
  });

  it('shortens a long list', () => {
    const admins = Array.from({ length: 8 }, (_, i) => ({ email: `admin${i}@example.com`, hasSecondFactor: false }));
    expect(adminsWithoutMfa(admins)!.detail).toContain('and 3 more');
  });
});

describe('API keys due for rotation', () => {
  const rotation = 90 * DAY;
  it('flags active keys at least as old as the rotation age, and only those', () => {
    const keys = [
      { name: 'ci', prefix: 'opk_11111111', createdAt: daysAgo(89) },
      { name: 'backup', prefix: 'opk_22222222', createdAt: daysAgo(90) },
      { name: 'sync', prefix: 'opk_33333333', createdAt: daysAgo(400) },
    ];
    const warning = apiKeysDueForRotation(keys, rotation, NOW);
    expect(warning).toMatchObject({ id: 'api_keys_due_for_rotation', severity: 'warning', title: '2 API keys are due for rotation', href: '/admin/api-keys' });
    expect(warning!.detail).toBe('backup (opk_22222222), sync (opk_33333333) are older than 90 days.');
    expect(apiKeysDueForRotation(keys.slice(0, 1), rotation, NOW)).toBeNull();
    expect(apiKeysDueForRotation([], rotation, NOW)).toBeNull();
  });
});

describe('signing key age', () => {
  const rotation = 90 * DAY;
  const rs256 = (days: number) => ({ kid: 'k1', alg: 'RS256', createdAt: daysAgo(days) });
  it('is quiet while every active key is younger than OPTARE_SIGNING_KEY_ROTATION', () => {
    expect(signingKeyOverdue([rs256(89)], 'RS256', rotation, NOW)).toBeNull();
    expect(signingKeyOverdue([rs256(89), { kid: 'e1', alg: 'ES256', createdAt: daysAgo(10) }], 'RS256', rotation, NOW)).toBeNull();
  });

  it('warns when a key outlived it (the automatic rotation is not happening)', () => {
    expect(signingKeyOverdue([rs256(120)], 'RS256', rotation, NOW)).toMatchObject({
      id: 'signing_key_overdue',
      severity: 'warning',
      title: 'The signing key is overdue for rotation',
      detail: expect.stringContaining('Key k1 (RS256) is 120 days old; keys are replaced after 90 days'),
    });
  });

  it('checks the key of every algorithm in use, not only RS256', () => {
    const keys = [rs256(10), { kid: 'e1', alg: 'ES256', createdAt: daysAgo(100) }, { kid: 'd1', alg: 'EdDSA', createdAt: daysAgo(95) }];
    expect(signingKeyOverdue(keys, 'RS256', rotation, NOW)).toMatchObject({
      severity: 'warning',
      title: '2 signing keys are overdue for rotation',
      detail: expect.stringContaining('Keys e1 (ES256, 100 days old), d1 (EdDSA, 95 days old) are overdue; keys are replaced after 90 days'),
    });
  });

  it('is critical when the default algorithm has no active key, whatever other keys exist', () => {
    expect(signingKeyOverdue([], 'RS256', rotation, NOW)).toMatchObject({ severity: 'critical', title: 'No active signing key' });
    // OPTARE_DEFAULT_SIGNING_ALG=ES256 with only an RS256 key left from before.
    expect(signingKeyOverdue([rs256(1)], 'ES256', rotation, NOW)).toMatchObject({
      severity: 'critical',
      detail: expect.stringContaining('cannot sign ES256 tokens (OPTARE_DEFAULT_SIGNING_ALG)'),
    });
    // The default moved to ES256 and its key exists: no RS256 key is needed.
    expect(signingKeyOverdue([{ kid: 'e1', alg: 'ES256', createdAt: daysAgo(1) }], 'ES256', rotation, NOW)).toBeNull();
  });
});

describe('issuer not on HTTPS', () => {
  it('accepts https and flags http, critically in production', () => {
    expect(issuerNotHttps('https://id.example.com', true)).toBeNull();
    expect(issuerNotHttps('http://localhost:3000', false)).toMatchObject({ id: 'issuer_not_https', severity: 'warning' });
    expect(issuerNotHttps('http://id.example.com', true)).toMatchObject({ severity: 'critical' });
    expect(issuerNotHttps('not a url', false)).toMatchObject({ id: 'issuer_not_https' });
  });
});

describe('development encryption key', () => {
  it('flags a key generated in the data directory, not one from the environment', () => {
    expect(developmentEncryptionKey('environment')).toBeNull();
    expect(developmentEncryptionKey('data-dir')).toMatchObject({ id: 'development_encryption_key', severity: 'critical' });
  });
});

describe('securityWarnings', () => {
  const healthy: SecurityFacts = {
    admins: [{ email: 'a@example.com', hasSecondFactor: true }],
    activeApiKeys: [{ name: 'ci', prefix: 'opk_11111111', createdAt: daysAgo(1) }],
    apiKeyRotationAgeSeconds: 90 * DAY,
    activeSigningKeys: [{ kid: 'k1', alg: 'RS256', createdAt: daysAgo(1) }],
    defaultSigningAlg: 'RS256',
    signingKeyRotationSeconds: 90 * DAY,
    issuer: 'https://id.example.com',
    production: true,
    encryptionKeySource: 'environment',
    clientsWithoutPkce: [],
    now: NOW,
  };

  it('finds nothing wrong with a healthy deployment', () => {
    expect(securityWarnings(healthy)).toEqual([]);
  });

  it('lists every problem, critical ones first', () => {
    const ids = securityWarnings({
      ...healthy,
      activeApiKeys: [{ name: 'old', prefix: 'opk_22222222', createdAt: daysAgo(200) }],
      issuer: 'http://localhost:3000',
      production: false,
      encryptionKeySource: 'data-dir',
      admins: [{ email: 'b@example.com', hasSecondFactor: false }],
      clientsWithoutPkce: [{ id: 'oc_1', name: 'Legacy portal' }],
    }).map((warning) => [warning.id, warning.severity]);
    expect(ids).toEqual([
      ['admins_without_mfa', 'critical'],
      ['development_encryption_key', 'critical'],
      ['issuer_not_https', 'warning'],
      ['api_keys_due_for_rotation', 'warning'],
      ['clients_without_pkce', 'warning'],
    ]);
  });
});
