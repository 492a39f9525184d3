import { describe, expect, it } from 'vitest';
import { pseudonymOf } from '../crypto/pseudonym';
import type { AuditContent } from './canonical';
import { auditContentHashV2, canonicalAuditContentV2, personalDigest, PERSONAL_DETAIL_KEYS, splitDetails } from './personal';

const content: AuditContent = {
  createdAt: new Date('2026-11-30T09:00:00.000Z'),
  type: 'user.email_changed',
  actorUserId: '0b8f2a44-6f0e-4a3c-9a51-7c1d2e3f4a5b',
  subject: '0b8f2a44-6f0e-4a3c-9a51-7c1d2e3f4a5b',
  ip: '198.51.100.20',
  userAgent: 'Firefox',
  requestId: 'req-1',
  outcome: 'success',
  details: { from: 'ada@example.com', to: 'ada@example.org', reason: 'moved' },
};
const salt = new Uint8Array(32).fill(7);

describe('version 2 audit content (salted personal digest)', () => {
  it('splits the personal details members from the others', () => {
    expect(splitDetails(content.details)).toEqual({ personal: { from: 'ada@example.com', to: 'ada@example.org' }, other: { reason: 'moved' } });
    expect(PERSONAL_DETAIL_KEYS).toContain('email');
  });

  it('commits to the non-personal fields and the digest, never to the personal values themselves', () => {
    const canonical = canonicalAuditContentV2(content, personalDigest(content, salt));
    for (const personal of ['ada@example.com', '198.51.100.20', 'Firefox', content.actorUserId!]) expect(canonical).not.toContain(personal);
    expect(canonical).toContain('"reason":"moved"');
    expect(canonical).toContain('"type":"user.email_changed"');
  });

  it('the digest changes with any personal field and with the salt', () => {
    const digest = Buffer.from(personalDigest(content, salt)).toString('hex');
    expect(Buffer.from(personalDigest({ ...content, ip: '10.0.0.1' }, salt)).toString('hex')).not.toBe(digest);
    expect(Buffer.from(personalDigest({ ...content, details: { from: 'ada@example.com', to: 'x@example.org', reason: 'moved' } }, salt)).toString('hex')).not.toBe(digest);
    expect(Buffer.from(personalDigest(content, new Uint8Array(32))).toString('hex')).not.toBe(digest);
  });

  it('once the personal fields are overwritten, the stored digest still gives the same content hash', () => {
    const digest = personalDigest(content, salt);
    const pseudonymised = { ...content, actorUserId: 'p', subject: 'p', ip: null, userAgent: null, details: { reason: 'moved' } };
    expect(auditContentHashV2(pseudonymised, digest)).toEqual(auditContentHashV2(content, digest));
    expect(auditContentHashV2({ ...pseudonymised, outcome: 'failure' }, digest)).not.toEqual(auditContentHashV2(content, digest));
  });
});

describe('pseudonymOf', () => {
  const key = new Uint8Array(32).fill(1);
  it('is a stable version 8 UUID per user and key', () => {
    const pseudonym = pseudonymOf(content.actorUserId!, key);
    expect(pseudonym).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pseudonymOf(content.actorUserId!.toUpperCase(), key)).toBe(pseudonym);
    expect(pseudonymOf('5c7e1d2a-0000-4000-8000-000000000001', key)).not.toBe(pseudonym);
    expect(pseudonymOf(content.actorUserId!, new Uint8Array(32).fill(2))).not.toBe(pseudonym);
  });
});
