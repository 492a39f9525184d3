import { describe, expect, it } from 'vitest';
import { fieldErrorsOf, PASSWORD_MAX, PASSWORD_MIN } from '../validation/account';
import { describeDuration, formatDuration, formatSettingValue, settingsUpdateSchema } from './schema';

const errorsOf = (input: unknown) => {
  const parsed = settingsUpdateSchema.safeParse(input);
  return parsed.success ? {} : fieldErrorsOf(parsed.error);
};

describe('settingsUpdateSchema (the console form and the server)', () => {
  it('reads durations as seconds or OPTARE_* duration text, and numbers from form text', () => {
    expect(
      settingsUpdateSchema.parse({
        passwordMinLength: '16',
        mfaRequired: true,
        sessionIdleTimeoutSeconds: '30m',
        sessionMaxAgeSeconds: 86_400,
        emailVerificationRequired: false,
        auditRetentionDays: ' 365 ',
      }),
    ).toEqual({
      passwordMinLength: 16,
      mfaRequired: true,
      sessionIdleTimeoutSeconds: 1800,
      sessionMaxAgeSeconds: 86_400,
      emailVerificationRequired: false,
      auditRetentionDays: 365,
    });
  });

  it('keeps absent fields absent and null (back to the default) as null', () => {
    expect(settingsUpdateSchema.parse({})).toEqual({});
    expect(settingsUpdateSchema.parse({ mfaRequired: null, auditRetentionDays: null })).toEqual({ mfaRequired: null, auditRetentionDays: null });
  });

  it(`bounds the minimum password length to ${PASSWORD_MIN}..${PASSWORD_MAX}`, () => {
    expect(errorsOf({ passwordMinLength: PASSWORD_MIN - 1 }).passwordMinLength).toEqual([`The minimum length must be at least ${PASSWORD_MIN}.`]);
    expect(errorsOf({ passwordMinLength: PASSWORD_MAX + 1 }).passwordMinLength).toEqual([`The minimum length must be at most ${PASSWORD_MAX}.`]);
    expect(errorsOf({ passwordMinLength: 14.5 }).passwordMinLength).toBeDefined();
    expect(errorsOf({ passwordMinLength: '1e2' }).passwordMinLength).toBeDefined();
    expect(errorsOf({ passwordMinLength: PASSWORD_MAX })).toEqual({});
  });

  it('bounds the session lifetimes like OPTARE_SESSION_IDLE_TIMEOUT and OPTARE_SESSION_MAX_AGE', () => {
    expect(errorsOf({ sessionIdleTimeoutSeconds: '59s' }).sessionIdleTimeoutSeconds).toEqual(['Enter a duration between 1 minute and 30 days.']);
    expect(errorsOf({ sessionIdleTimeoutSeconds: '31d' }).sessionIdleTimeoutSeconds).toBeDefined();
    expect(errorsOf({ sessionMaxAgeSeconds: '4m' }).sessionMaxAgeSeconds).toEqual(['Enter a duration between 5 minutes and 90 days.']);
    expect(errorsOf({ sessionMaxAgeSeconds: 'soon' }).sessionMaxAgeSeconds).toEqual(['Enter a duration such as 30m, 8h or 7d.']);
  });

  it('refuses an idle timeout longer than the maximum age sent with it', () => {
    expect(errorsOf({ sessionIdleTimeoutSeconds: '2d', sessionMaxAgeSeconds: '1d' }).sessionIdleTimeoutSeconds).toEqual([
      'The idle timeout cannot be longer than the maximum age.',
    ]);
    expect(errorsOf({ sessionIdleTimeoutSeconds: '1d', sessionMaxAgeSeconds: '1d' })).toEqual({});
  });

  it('refuses unknown settings, wrong types and non-objects', () => {
    expect(errorsOf({ smtpUrl: 'smtp://x' }).form).toEqual(['Unknown setting: smtpUrl.']);
    expect(errorsOf({ mfaRequired: 'yes' }).mfaRequired).toBeDefined();
    expect(errorsOf({ auditRetentionDays: -1 }).auditRetentionDays).toEqual(['The retention must be at least 0.']);
    expect(settingsUpdateSchema.safeParse([]).success).toBe(false);
    expect(settingsUpdateSchema.safeParse(null).success).toBe(false);
  });
});

describe('formatting', () => {
  it('writes durations as OPTARE_* variables do and as sentences', () => {
    expect([formatDuration(28_800), formatDuration(604_800), formatDuration(900), formatDuration(90)]).toEqual(['8h', '7d', '15m', '90s']);
    expect([describeDuration(3600), describeDuration(1800), describeDuration(86_400 * 2)]).toEqual(['1 hour', '30 minutes', '2 days']);
  });

  it('says each setting value as people read it', () => {
    expect(formatSettingValue('mfaRequired', true)).toBe('On');
    expect(formatSettingValue('auditRetentionDays', 0)).toBe('Forever');
    expect(formatSettingValue('auditRetentionDays', 1)).toBe('1 day');
    expect(formatSettingValue('passwordMinLength', 16)).toBe('16 characters');
    expect(formatSettingValue('sessionMaxAgeSeconds', 604_800)).toBe('7 days');
  });
});
