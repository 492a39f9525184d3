import { describe, expect, it } from 'vitest';
import {
  containsContextWord,
  emailSchema,
  fieldErrorsOf,
  nameSchema,
  newPasswordSchema,
  normalizeEmail,
  normalizePassword,
  passwordContextWords,
  PASSWORD_MAX,
  PASSWORD_MIN,
  signInSchema,
  signUpSchema,
} from './account';
import { codePointLength, hasUnsafeCharacters } from './text';

const PASSWORD = 'CorrectHorse-Battery-9';
const EMOJI = '🔐'; // one code point, two UTF-16 units

/** Strings that look harmless but carry an invisible, reordering or control character. */
const TRICKS = {
  'zero-width space': '\u200b',
  'zero-width joiner': '\u200d',
  'right-to-left override': '\u202e',
  'left-to-right isolate': '\u2066',
  'byte order mark': '\ufeff',
  NUL: '\u0000',
  'line separator': '\u2028',
  escape: '\u001b',
  'private use': '\ue000',
} as const;

describe('email', () => {
  it('is trimmed and lower-cased', () => {
    expect(normalizeEmail('  Alice.Smith@Example.COM \n')).toBe('alice.smith@example.com');
    expect(emailSchema.parse(' Bob@EXAMPLE.org ')).toBe('bob@example.org');
  });

  it('accepts ordinary ASCII addresses', () => {
    for (const email of ['a@example.com', 'first.last+tag@sub.example.co.uk', "o'brien@example.ie", 'x_y-z@a-b.example']) {
      expect(emailSchema.safeParse(email).success, email).toBe(true);
    }
  });

  it('refuses non-ASCII addresses, including Cyrillic homoglyphs of a Latin address', () => {
    for (const email of ['аlice@example.com', 'alice@exаmple.com', 'jöe@example.com', 'alice@例え.jp', 'ａlice@example.com']) {
      expect(emailSchema.safeParse(email).success, email).toBe(false);
    }
  });

  it('refuses invisible and control characters anywhere in the address', () => {
    for (const [name, char] of Object.entries(TRICKS)) {
      expect(emailSchema.safeParse(`ali${char}ce@example.com`).success, name).toBe(false);
      expect(emailSchema.safeParse(`alice@example.com${char}x`).success, name).toBe(false);
    }
  });

  it('refuses malformed addresses, overlong ones and non-strings', () => {
    for (const email of ['', '   ', 'alice', 'alice@', '@example.com', 'alice@localhost', 'a..b@example.com', '.a@example.com', 'a@-example.com', 'a@example.1', 'a b@example.com', '<a@example.com>', "' OR 1=1 --@example.com"]) {
      expect(emailSchema.safeParse(email).success, email).toBe(false);
    }
    expect(emailSchema.safeParse(`${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.com`).success).toBe(true);
    expect(emailSchema.safeParse(`${'a'.repeat(64)}@${'b'.repeat(62)}.${'c'.repeat(62)}.${'d'.repeat(62)}.com`).success).toBe(false);
    for (const value of [null, undefined, 42, ['a@example.com'], { email: 'a@example.com' }]) {
      expect(emailSchema.safeParse(value).success).toBe(false);
    }
  });
});

describe('name', () => {
  it('is NFC-normalised and trimmed, and may use any script', () => {
    expect(nameSchema.parse('  Zoe\u0308 ')).toBe('Zoë');
    expect(nameSchema.parse('Анна Каренина')).toBe('Анна Каренина');
    expect(nameSchema.parse('李小龍')).toBe('李小龍');
  });

  it('refuses invisible, bidirectional and control characters', () => {
    for (const [name, char] of Object.entries(TRICKS)) {
      expect(nameSchema.safeParse(`Ali${char}ce`).success, name).toBe(false);
    }
    expect(nameSchema.safeParse('Ali\ud800ce').success).toBe(false);
    // at either end too, where trimming would otherwise hide them
    expect(nameSchema.safeParse('\uFEFFEve').success).toBe(false);
    expect(nameSchema.safeParse('Eve\u200B').success).toBe(false);
  });

  it('refuses an empty name and one over 100 characters', () => {
    expect(nameSchema.safeParse('   ').success).toBe(false);
    expect(nameSchema.safeParse('a'.repeat(100)).success).toBe(true);
    expect(nameSchema.safeParse('a'.repeat(101)).success).toBe(false);
    expect(nameSchema.safeParse('😀'.repeat(100)).success).toBe(true); // code points, not UTF-16 units
    expect(nameSchema.safeParse(5).success).toBe(false);
  });
});

describe('new password', () => {
  it('is NFKC-normalised', () => {
    expect(normalizePassword('ｆｕｌｌｗｉｄｔｈ１２３')).toBe('fullwidth123');
    expect(newPasswordSchema.parse('Ａｐｐｌｅ－ｔｒｅｅ－９９')).toBe('Apple-tree-99');
    expect(newPasswordSchema.parse('ﬁnancial-2024!')).toBe('financial-2024!');
  });

  it(`counts its ${PASSWORD_MIN}..${PASSWORD_MAX} length limits in code points, not UTF-16 units`, () => {
    expect(newPasswordSchema.safeParse('a'.repeat(PASSWORD_MIN)).success).toBe(true);
    expect(newPasswordSchema.safeParse('a'.repeat(PASSWORD_MIN - 1)).success).toBe(false);
    expect(newPasswordSchema.safeParse(EMOJI.repeat(PASSWORD_MIN)).success).toBe(true);
    // 11 emoji are 22 UTF-16 units: too short however JavaScript counts them.
    expect(newPasswordSchema.safeParse(EMOJI.repeat(PASSWORD_MIN - 1)).success).toBe(false);
    expect(newPasswordSchema.safeParse('a'.repeat(PASSWORD_MAX)).success).toBe(true);
    expect(newPasswordSchema.safeParse('a'.repeat(PASSWORD_MAX + 1)).success).toBe(false);
    // 128 emoji are 256 UTF-16 units: still within the limit.
    expect(newPasswordSchema.safeParse(EMOJI.repeat(PASSWORD_MAX)).success).toBe(true);
    expect(newPasswordSchema.safeParse(EMOJI.repeat(PASSWORD_MAX + 1)).success).toBe(false);
  });

  it('counts the length after NFKC', () => {
    // U+FB03 "ﬃ" becomes three letters: 4 ligatures are 12 code points after normalisation.
    expect(newPasswordSchema.safeParse('\ufb03'.repeat(4)).success).toBe(true);
  });

  it('refuses lone surrogates and control or invisible characters', () => {
    expect(newPasswordSchema.safeParse(`${PASSWORD}\ud800`).success).toBe(false);
    expect(newPasswordSchema.safeParse(`\udc00${PASSWORD}`).success).toBe(false);
    for (const [name, char] of Object.entries(TRICKS)) {
      expect(newPasswordSchema.safeParse(`${PASSWORD}${char}`).success, name).toBe(false);
    }
  });

  it('accepts spaces, punctuation and non-Latin letters', () => {
    expect(newPasswordSchema.safeParse('correct horse battery staple').success).toBe(true);
    expect(newPasswordSchema.safeParse('пароль-очень-длинный').success).toBe(true);
  });
});

describe('context-specific words (ASVS 6.1.2)', () => {
  it('refuses the product name in any case, in the browser schema too', () => {
    for (const password of ['optare-is-my-password', 'MyOPTAREpassword1', 'xx Optare xx yy']) {
      expect(newPasswordSchema.safeParse(password).success, password).toBe(false);
    }
    expect(newPasswordSchema.safeParse('correct horse battery staple').success).toBe(true);
  });

  it('derives the deployment words from the issuer host and the TOTP issuer name', () => {
    expect(passwordContextWords('https://id.acme-corp.com', 'Acme SSO').sort()).toEqual(['acme sso', 'acme-corp', 'id.acme-corp.com', 'optare'].sort());
    // Short labels, the top-level domain and IP address parts are left out; so is a short issuer name.
    expect(passwordContextWords('http://127.0.0.1:3000', 'IdP').sort()).toEqual(['127.0.0.1', 'optare']);
    expect(passwordContextWords('http://localhost:3000', 'Optare')).toEqual(['optare', 'localhost']);
  });

  it('finds a word anywhere in the password, ignoring case', () => {
    const words = passwordContextWords('https://login.acme-corp.com', 'Acme SSO');
    expect(containsContextWord('Welcome to ACME-CORP 2026', words)).toBe(true);
    expect(containsContextWord('my login.acme-corp.com pass', words)).toBe(true);
    expect(containsContextWord('acme sso forever and ever', words)).toBe(true);
    expect(containsContextWord('correct horse battery staple', words)).toBe(false);
  });
});

describe('sign-up', () => {
  const valid = { email: 'Alice@Example.com', name: 'Alice', password: PASSWORD };

  it('parses a valid form into its normalised values', () => {
    expect(signUpSchema.parse(valid)).toEqual({ email: 'alice@example.com', name: 'Alice', password: PASSWORD });
  });

  it('refuses a password equal to the email address or its local part, in any case', () => {
    const email = 'alice.smith@example.com';
    for (const password of ['alice.smith@example.com', 'ALICE.SMITH@EXAMPLE.COM', 'Alice.Smith@Example.com']) {
      const result = signUpSchema.safeParse({ ...valid, email, password });
      expect(result.success, password).toBe(false);
      expect(fieldErrorsOf(result.error!)).toEqual({ password: ['The password must not be your email address.'] });
    }
    const local = signUpSchema.safeParse({ ...valid, email: 'correcthorsebattery@example.com', password: 'CorrectHorseBattery' });
    expect(local.success).toBe(false);
    // Containing the local part is allowed; only equality is refused.
    expect(signUpSchema.safeParse({ ...valid, email, password: 'alice.smith-1984' }).success).toBe(true);
  });

  it('reports errors per field, for every field at once', () => {
    const result = signUpSchema.safeParse({ email: 'nope', name: '', password: 'short' });
    expect(result.success).toBe(false);
    const errors = fieldErrorsOf(result.error!);
    expect(Object.keys(errors).sort()).toEqual(['email', 'name', 'password']);
    expect(errors.password).toEqual([`Use at least ${PASSWORD_MIN} characters.`]);
  });

  it('refuses missing fields and wrong types', () => {
    for (const input of [{}, { ...valid, email: undefined }, { ...valid, password: 123456789012 }, { ...valid, name: ['Alice'] }, { ...valid, email: null }, null, 'x']) {
      expect(signUpSchema.safeParse(input).success).toBe(false);
    }
  });
});

describe('sign-in', () => {
  it('accepts any non-empty password up to the maximum, normalised', () => {
    expect(signInSchema.parse({ email: 'A@Example.com', password: 'ｓｈｏｒｔ' })).toEqual({ email: 'a@example.com', password: 'short' });
    expect(signInSchema.safeParse({ email: 'a@example.com', password: EMOJI.repeat(PASSWORD_MAX) }).success).toBe(true);
  });

  it('refuses an empty, overlong, lone-surrogate or NUL password', () => {
    for (const password of ['', 'a'.repeat(PASSWORD_MAX + 1), 'abc\ud800', 'abc\u0000def']) {
      expect(signInSchema.safeParse({ email: 'a@example.com', password }).success).toBe(false);
    }
  });
});

describe('text helpers', () => {
  it('counts code points', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength(EMOJI.repeat(3))).toBe(3);
    expect(codePointLength('\ud800')).toBe(1);
  });

  it('flags unsafe characters and lone surrogates only', () => {
    expect(hasUnsafeCharacters('Plain text, with punctuation! ÄÖÜ 李 🔐')).toBe(false);
    for (const char of [...Object.values(TRICKS), '\ud800', '\udfff', '\u0085', '\u00ad']) {
      expect(hasUnsafeCharacters(`a${char}b`), JSON.stringify(char)).toBe(true);
    }
  });
});
