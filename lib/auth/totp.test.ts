import { describe, expect, it } from 'vitest';
import { matchTotpStep, parseTotpCode, totpSealingContext, totpStepAt, totpUri } from './totp';
import { totpForStep } from '../../tests/support/totp';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const NOW = new Date('2026-11-30T10:20:13Z');
const STEP = Math.floor(NOW.getTime() / 30_000);

describe('parseTotpCode', () => {
  it('accepts exactly six ASCII digits, spaces anywhere removed', () => {
    expect(parseTotpCode('123456')).toBe('123456');
    expect(parseTotpCode(' 123 456 ')).toBe('123456');
    expect(parseTotpCode('000000\n')).toBe('000000');
  });

  it.each([
    ['empty', ''],
    ['five digits', '12345'],
    ['seven digits', '1234567'],
    ['letters', 'abcdef'],
    ['a NUL byte', '123\u0000456'],
    ['a trailing NUL byte', '123456\u0000'],
    ['full-width digits', '１２３４５６'],
    ['Arabic-Indic digits', '١٢٣٤٥٦'],
    ['a sign', '+12345'],
    ['10 kB', '1'.repeat(10_240)],
    ['six digits padded past the bound', `${' '.repeat(40)}123456`],
  ])('refuses %s', (_label, input) => {
    expect(parseTotpCode(input)).toBeNull();
  });

  it('refuses what is not a string', () => {
    for (const input of [undefined, null, 123456, ['123456'], { code: '123456' }]) expect(parseTotpCode(input)).toBeNull();
  });
});

describe('totpStepAt', () => {
  it('is floor(unix seconds / 30)', () => {
    expect(totpStepAt(new Date(59_000))).toBe(1);
    expect(totpStepAt(new Date(60_000))).toBe(2);
    expect(totpStepAt(NOW)).toBe(STEP);
  });
});

describe('totpUri', () => {
  it('writes the Key URI Format with every parameter', () => {
    expect(totpUri('Optare', 'ada@example.com', SECRET)).toBe(
      `otpauth://totp/Optare:ada%40example.com?secret=${SECRET}&issuer=Optare&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('percent-encodes issuer and account name so +, &, : and spaces survive', () => {
    const uri = totpUri('Acme & Co: ID', 'ada+mfa@example.com', SECRET);
    expect(uri).toContain('otpauth://totp/Acme%20%26%20Co%3A%20ID:ada%2Bmfa%40example.com?');
    const url = new URL(uri);
    expect(url.searchParams.get('issuer')).toBe('Acme & Co: ID');
    expect(url.searchParams.get('secret')).toBe(SECRET);
    expect(decodeURIComponent(url.pathname.slice(1))).toBe('Acme & Co: ID:ada+mfa@example.com');
  });
});

describe('totpSealingContext', () => {
  it('binds the secret to its user', () => {
    expect(totpSealingContext('u1')).toBe('totp:u1');
    expect(totpSealingContext('u1')).not.toBe(totpSealingContext('u2'));
  });
});

describe('matchTotpStep', () => {
  it.each([-1, 0, 1])('accepts the code of step %i from now and says which step it was', async (offset) => {
    expect(await matchTotpStep(SECRET, totpForStep(SECRET, STEP + offset), NOW, null)).toEqual({ ok: true, step: STEP + offset });
  });

  it.each([-3, -2, 2, 3])('refuses the code of step %i from now', async (offset) => {
    expect(await matchTotpStep(SECRET, totpForStep(SECRET, STEP + offset), NOW, null)).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('refuses the code of a step already used, or of an earlier one, as replayed', async () => {
    const current = totpForStep(SECRET, STEP);
    expect(await matchTotpStep(SECRET, current, NOW, STEP)).toEqual({ ok: false, reason: 'replayed' });
    expect(await matchTotpStep(SECRET, totpForStep(SECRET, STEP - 1), NOW, STEP)).toEqual({ ok: false, reason: 'replayed' });
    expect(await matchTotpStep(SECRET, current, NOW, STEP + 5)).toEqual({ ok: false, reason: 'replayed' });
    expect(await matchTotpStep(SECRET, totpForStep(SECRET, STEP + 1), NOW, STEP)).toEqual({ ok: true, step: STEP + 1 });
  });

  it('refuses a wrong code as invalid, also when a step was used', async () => {
    const wrong = totpForStep(SECRET, STEP) === '000000' ? '000001' : '000000';
    expect(await matchTotpStep(SECRET, wrong, NOW, null)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await matchTotpStep(SECRET, wrong, NOW, STEP - 10)).toEqual({ ok: false, reason: 'invalid_code' });
  });
});
