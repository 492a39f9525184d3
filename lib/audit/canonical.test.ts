import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditContentHash, canonicalAuditContent, canonicalJson, type AuditContent } from './canonical';

const content: AuditContent = {
  createdAt: new Date('2026-11-30T10:20:30.456Z'),
  type: 'user.created',
  actorUserId: null,
  subject: 'ada@example.com',
  ip: '203.0.113.7',
  userAgent: 'optare-cli',
  requestId: '7b0c4f5e-0d43-4a55-9a43-6d0f7b3f9d21',
  outcome: 'success',
  details: { via: 'cli', admin: true },
};

describe('canonicalJson', () => {
  it('sorts object keys recursively and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: 0, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,1,{"y":null,"z":0}]},"b":1}',
    );
  });

  it('gives the same text whatever order the keys were written in', () => {
    expect(canonicalJson({ x: 1, y: [true, false], z: 'é' })).toBe(canonicalJson({ z: 'é', y: [true, false], x: 1 }));
  });

  it('sorts keys by UTF-16 code units, not by locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, é: 4 })).toBe('{"B":2,"a":3,"b":1,"é":4}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak "quoted" \\' })).toBe('{"k\\"":"line\\nbreak \\"quoted\\" \\\\"}');
  });

  it('refuses values JSON cannot carry faithfully', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, undefined, 1n, new Date(0), () => 1]) {
      expect(() => canonicalJson({ value })).toThrow(TypeError);
    }
  });
});

describe('canonicalAuditContent', () => {
  it('is the sorted JSON of every content field, with createdAt in ISO form with milliseconds', () => {
    expect(canonicalAuditContent(content)).toBe(
      '{"actorUserId":null,"createdAt":"2026-11-30T10:20:30.456Z","details":{"admin":true,"via":"cli"},' +
        '"ip":"203.0.113.7","outcome":"success","requestId":"7b0c4f5e-0d43-4a55-9a43-6d0f7b3f9d21",' +
        '"subject":"ada@example.com","type":"user.created","userAgent":"optare-cli"}',
    );
  });

  it('content hash is SHA-256 of the UTF-8 canonical text', () => {
    const withAccent = { ...content, subject: 'zoë@example.com' };
    const expected = createHash('sha256').update(Buffer.from(canonicalAuditContent(withAccent), 'utf8')).digest();
    expect(Buffer.from(auditContentHash(withAccent))).toEqual(expected);
  });

  it('changes when any field changes', () => {
    const base = Buffer.from(auditContentHash(content)).toString('hex');
    const variants: Partial<AuditContent>[] = [
      { createdAt: new Date('2026-11-30T10:20:30.457Z') },
      { type: 'user.disabled' },
      { actorUserId: '7b0c4f5e-0d43-4a55-9a43-6d0f7b3f9d21' },
      { subject: 'eve@example.com' },
      { ip: null },
      { userAgent: 'curl' },
      { requestId: null },
      { outcome: 'failure' },
      { details: { via: 'cli', admin: false } },
    ];
    for (const variant of variants) {
      expect(Buffer.from(auditContentHash({ ...content, ...variant })).toString('hex'), JSON.stringify(variant)).not.toBe(base);
    }
  });
});
