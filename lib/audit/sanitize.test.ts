import { describe, expect, it } from 'vitest';
import type { AuditEventInput } from './events';
import { AUDIT_LIMITS, AuditInputError, cleanText, isSecretLikeKey, sanitizeAuditEvent } from './sanitize';

const context = { ip: '198.51.100.4', userAgent: 'Mozilla/5.0', requestId: 'req-1' };
const event = (overrides: Partial<AuditEventInput> = {}): AuditEventInput => ({
  type: 'auth.sign_in',
  outcome: 'failure',
  subject: 'ada@example.com',
  details: { reason: 'bad_password' },
  context,
  ...overrides,
});

function refusal(fn: () => unknown): AuditInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuditInputError) return error;
    throw error;
  }
  throw new Error('expected an AuditInputError');
}

describe('sanitizeAuditEvent', () => {
  it('strips NUL, other control characters and bidi overrides from every string', () => {
    const clean = sanitizeAuditEvent(
      event({
        subject: 'ada\u0000@exa\u202emple.com\r\n',
        details: { reason: 'x\u0000y\u001b[31m', scopes: ['openid\u0000', 'pro\u0085file'] },
        context: { ip: '1.2.3.4\u0000', userAgent: 'UA\tv1\u007f', requestId: 'r\u0000q' },
      }),
    );
    expect(clean.subject).toBe('ada@example.com');
    expect(clean.details).toEqual({ reason: 'xy[31m', scopes: ['openid', 'profile'] });
    expect(clean.ip).toBe('1.2.3.4');
    expect(clean.userAgent).toBe('UAv1');
    expect(clean.requestId).toBe('rq');
  });

  it('truncates strings to their column sizes', () => {
    const clean = sanitizeAuditEvent(
      event({
        subject: 's'.repeat(400),
        details: { reason: 'r'.repeat(AUDIT_LIMITS.detailString + 100), list: ['l'.repeat(AUDIT_LIMITS.detailString + 100)] },
        context: { ip: 'i'.repeat(100), userAgent: 'u'.repeat(600), requestId: 'q'.repeat(100) },
      }),
    );
    expect(clean.subject).toHaveLength(AUDIT_LIMITS.subject);
    expect(clean.ip).toHaveLength(AUDIT_LIMITS.ip);
    expect(clean.userAgent).toHaveLength(AUDIT_LIMITS.userAgent);
    expect(clean.requestId).toHaveLength(AUDIT_LIMITS.requestId);
    expect(clean.details.reason).toHaveLength(AUDIT_LIMITS.detailString);
    expect(clean.details.list).toEqual(['l'.repeat(AUDIT_LIMITS.detailString)]);
  });

  it('cuts long lists, saying how many items were left out', () => {
    const scopes = Array.from({ length: 25 }, (_, i) => `scope${i}`);
    const clean = sanitizeAuditEvent(event({ details: { scopes } }));
    expect(clean.details.scopes).toEqual([...scopes.slice(0, 19), '…+6 more']);
  });

  it('never leaves half a surrogate pair, which PostgreSQL could not store', () => {
    expect(cleanText(`${'a'.repeat(3)}😀`, 4)).toBe('aaa');
    expect(cleanText('lone \ud800 half', 50)).toBe('lone \ufffd half');
  });

  it('keeps absent context as null and lower-cases the actor id as the uuid column returns it', () => {
    const clean = sanitizeAuditEvent(
      event({
        actorUserId: '7B0C4F5E-0D43-4A55-9A43-6D0F7B3F9D21',
        subject: undefined,
        context: { ip: null, userAgent: null, requestId: null },
      }),
    );
    expect(clean).toMatchObject({ actorUserId: '7b0c4f5e-0d43-4a55-9a43-6d0f7b3f9d21', subject: null, ip: null });
  });

  it.each(['password', 'newPassword', 'access_token', 'refreshToken', 'clientSecret', 'code', 'totpCode', 'api_key', 'APIKEY', 'sessionCookie'])(
    'refuses the secret-looking detail key %s',
    (key) => {
      expect(refusal(() => sanitizeAuditEvent(event({ details: { [key]: 'x' } }))).code).toBe('secret_detail');
    },
  );

  it('refuses detail keys that are not identifiers', () => {
    expect(refusal(() => sanitizeAuditEvent(event({ details: { 'api-key': 'x' } }))).code).toBe('invalid_detail');
  });

  it('accepts ordinary detail keys', () => {
    for (const key of ['reason', 'method', 'via', 'scopes', 'clientId', 'changed']) expect(isSecretLikeKey(key)).toBe(false);
  });

  it('refuses more than 20 detail keys rather than dropping some', () => {
    const details = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]));
    expect(refusal(() => sanitizeAuditEvent(event({ details }))).code).toBe('too_many_details');
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(sanitizeAuditEvent(event({ details: twenty })).details)).toHaveLength(20);
  });

  it('refuses detail values that would not survive storage unchanged', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, undefined, { nested: 1 }, [1, 2]]) {
      const details = { value } as unknown as AuditEventInput['details'];
      expect(refusal(() => sanitizeAuditEvent(event({ details }))).code).toBe('invalid_detail');
    }
  });

  it('refuses unknown event types, outcomes and malformed actor ids', () => {
    expect(refusal(() => sanitizeAuditEvent(event({ type: 'user.exploded' as never }))).code).toBe('invalid_event');
    expect(refusal(() => sanitizeAuditEvent(event({ outcome: 'maybe' as never }))).code).toBe('invalid_event');
    expect(refusal(() => sanitizeAuditEvent(event({ actorUserId: 'admin' }))).code).toBe('invalid_event');
  });
});
