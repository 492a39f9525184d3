import { describe, expect, it } from 'vitest';
import { defaultPasskeyNickname, parsePasskeyNickname } from './nickname';

const FALLBACK = 'Passkey 2026-11-30';

describe('parsePasskeyNickname', () => {
  it('trims and keeps a reasonable name, emoji and accents included', () => {
    expect(parsePasskeyNickname('  Work laptop  ')).toEqual({ ok: true, nickname: 'Work laptop' });
    expect(parsePasskeyNickname('Téléphone 📱')).toEqual({ ok: true, nickname: 'Téléphone 📱' });
  });

  it('normalises to NFC so one name has one stored form', () => {
    expect(parsePasskeyNickname('Cafe\u0301')).toEqual({ ok: true, nickname: 'Caf\u00e9' });
  });

  it('accepts 64 characters, counting an emoji as one, and refuses 65', () => {
    expect(parsePasskeyNickname('a'.repeat(64))).toEqual({ ok: true, nickname: 'a'.repeat(64) });
    expect(parsePasskeyNickname('🔑'.repeat(64))).toEqual({ ok: true, nickname: '🔑'.repeat(64) });
    expect(parsePasskeyNickname('a'.repeat(65))).toEqual({ ok: false, reason: 'invalid_nickname' });
    expect(parsePasskeyNickname(' '.repeat(10_000) + 'a')).toEqual({ ok: false, reason: 'invalid_nickname' });
  });

  it('refuses control, invisible and bidi characters and lone surrogates', () => {
    for (const name of ['a\u0000b', 'line\nbreak', 'tab\there', 'bell\u0007', 'a\u202eevil', 'zero\u200bwidth', 'x\ud800', 'del\u007f']) {
      expect(parsePasskeyNickname(name), JSON.stringify(name)).toEqual({ ok: false, reason: 'invalid_nickname' });
    }
  });

  it('refuses what is not a string', () => {
    for (const value of [42, true, {}, [], ['a'], () => 'a']) {
      expect(parsePasskeyNickname(value, FALLBACK)).toEqual({ ok: false, reason: 'invalid_nickname' });
    }
  });

  it('uses the fallback for an empty or missing name, and refuses it without one', () => {
    for (const value of [undefined, null, '', '   ']) {
      expect(parsePasskeyNickname(value, FALLBACK)).toEqual({ ok: true, nickname: FALLBACK });
      expect(parsePasskeyNickname(value)).toEqual({ ok: false, reason: 'invalid_nickname' });
    }
  });
});

describe('defaultPasskeyNickname', () => {
  it('names the passkey after the UTC date', () => {
    expect(defaultPasskeyNickname(new Date('2026-11-30T23:59:59Z'))).toBe('Passkey 2026-11-30');
  });
});
