import { z } from 'zod';
import { codePointLength, hasUnsafeCharacters } from './text';

// Zod 4 compiles parsers with `new Function` unless told not to, and probes for that ability when
// a schema is built; under Optare's CSP (no 'unsafe-eval') the probe is reported as a violation
// in the browser. These schemas run in the forms too, so compile nothing.
z.config({ jitless: true });

/**
 * The sign-up and sign-in forms' schemas. The browser validates with them through
 * react-hook-form, and the route handlers validate the same way before anything else runs;
 * the server adds what the browser cannot check (the common-password list).
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;
export const EMAIL_MAX = 254;
export const NAME_MAX = 100;

// ASCII-only addresses: one dot-atom local part, a domain of LDH labels with a dot. Unicode
// addresses are refused on purpose: homoglyphs (Cyrillic "а" for "a") would otherwise give two
// accounts that look identical.
const EMAIL_PATTERN =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Trims and lower-cases; the stored and compared form of every address. */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/** NFKC per NIST SP 800-63B so that visually equal passwords typed on different keyboards match. */
export function normalizePassword(value: string): string {
  return value.normalize('NFKC');
}

export const emailSchema = z
  .string({ error: 'Enter your email address.' })
  .transform(normalizeEmail)
  .pipe(
    z
      .string()
      .min(1, 'Enter your email address.')
      .max(EMAIL_MAX, `An email address has at most ${EMAIL_MAX} characters.`)
      .regex(EMAIL_PATTERN, 'Enter a valid email address, like name@example.com.'),
  );

const passwordChars = z
  .string({ error: 'Enter a password.' })
  .refine((value) => !hasUnsafeCharacters(value), 'The password contains characters that cannot be typed.');

/**
 * Context-specific words (ASVS 6.1.2, NIST SP 800-63B §3.1.1.2): a password containing the
 * service's name is among the first an attacker tries against it. The product name is refused
 * everywhere, the browser included; the server adds its own names (passwordContextWords).
 */
export const PRODUCT_NAME_WORD = 'optare';
export const CONTEXT_WORD_MESSAGE = 'The password must not contain the name of this service or its address.';
/** Shorter words (say "id" from id.example.com) would refuse far too many good passwords. */
const CONTEXT_WORD_MIN = 4;

/**
 * The words no password of this deployment may contain, lower case: the product name, the
 * issuer's host name and each of its labels of at least CONTEXT_WORD_MIN letters but the
 * top-level domain (id.acme-corp.com gives id.acme-corp.com and acme-corp), and the TOTP issuer
 * name shown in authenticator apps.
 */
export function passwordContextWords(issuer: string, totpIssuer: string): string[] {
  const words = new Set([PRODUCT_NAME_WORD, totpIssuer.trim().toLowerCase()]);
  let host = '';
  try {
    host = new URL(issuer).hostname.toLowerCase();
  } catch {
    // a malformed issuer never passes configuration; nothing to add
  }
  if (host) {
    words.add(host);
    const labels = host.split('.');
    for (const label of labels.slice(0, -1)) if (!/^\d+$/.test(label)) words.add(label);
  }
  return [...words].filter((word) => word.length >= CONTEXT_WORD_MIN);
}

/** Whether the password contains one of `words`, ignoring case. */
export function containsContextWord(password: string, words: readonly string[]): boolean {
  const lower = password.toLowerCase();
  return words.some((word) => lower.includes(word));
}

export const newPasswordSchema = passwordChars
  .transform(normalizePassword)
  .refine((value) => codePointLength(value) >= PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
  .refine((value) => codePointLength(value) <= PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`)
  .refine((value) => !containsContextWord(value, [PRODUCT_NAME_WORD]), CONTEXT_WORD_MESSAGE);

/**
 * The message for a new password shorter than `minLength`, the minimum an administrator set
 * (lib/settings; never below PASSWORD_MIN, which the schemas above check), or null. The server
 * applies it after the shared schema; the forms show the minimum they are given.
 */
export function passwordTooShort(password: string, minLength: number): string | null {
  return codePointLength(password) < minLength ? `Use at least ${minLength} characters.` : null;
}

export const nameSchema = z
  .string({ error: 'Enter your name.' })
  // Checked before trimming, which would otherwise quietly remove a leading U+FEFF.
  .refine((value) => !hasUnsafeCharacters(value), 'The name contains invisible or control characters.')
  .transform((value) => value.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'Enter your name.')
      .refine((value) => codePointLength(value) <= NAME_MAX, `A name has at most ${NAME_MAX} characters.`),
  );

export const signUpSchema = z
  .object({ email: emailSchema, name: nameSchema, password: newPasswordSchema })
  .refine(
    ({ email, password }) => {
      const lower = password.toLowerCase();
      return lower !== email && lower !== email.split('@')[0];
    },
    { path: ['password'], message: 'The password must not be your email address.' },
  );

export const signInSchema = z.object({
  email: emailSchema,
  // Sign-in checks only what is needed to avoid useless work; the policy applies to new passwords.
  password: passwordChars
    .transform(normalizePassword)
    .refine((value) => value.length > 0, 'Enter your password.')
    .refine((value) => codePointLength(value) <= PASSWORD_MAX, `A password has at most ${PASSWORD_MAX} characters.`),
});

export type SignUpInput = z.input<typeof signUpSchema>;
export type SignInInput = z.input<typeof signInSchema>;

/** Field errors keyed by field name, as the forms display them. */
export type FieldErrors = Record<string, string[]>;

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}

/** The profile form: the name the account shows (and the `name` claim). */
export const profileSchema = z.object({ name: nameSchema });
export type ProfileInput = z.input<typeof profileSchema>;

/**
 * The change-password form. The current password is only checked for what avoids useless work;
 * the new one meets the sign-up policy (the server adds the common-password list and the
 * not-your-email rule, which need the server's data).
 */
export const changePasswordSchema = z
  .object({
    currentPassword: passwordChars
      .transform(normalizePassword)
      .refine((value) => value.length > 0, 'Enter your current password.')
      .refine((value) => codePointLength(value) <= PASSWORD_MAX, `A password has at most ${PASSWORD_MAX} characters.`),
    newPassword: newPasswordSchema,
  })
  .refine(({ currentPassword, newPassword }) => currentPassword !== newPassword, {
    path: ['newPassword'],
    message: 'Choose a password different from your current one.',
  });
export type ChangePasswordInput = z.input<typeof changePasswordSchema>;
