import { describe, expect, it } from 'vitest';
import { createApiKeySchema, expiryDateChoices, resolveExpiry, successorExpiry } from './api-key-schema';

/** The rules of a new API key, shared by the console's form, its route and the admin API. */

const DAY = 86_400_000;
const NOW = new Date('2027-03-10T15:30:00.000Z');

describe('resolveExpiry', () => {
  it('defaults to 90 days from now', () => {
    expect(resolveExpiry(undefined, NOW)).toEqual({ ok: true, expiresAt: new Date(NOW.getTime() + 90 * DAY) });
  });

  it('reads a date as the end of that day, UTC, from tomorrow to two years from today', () => {
    expect(resolveExpiry('2027-03-11', NOW)).toEqual({ ok: true, expiresAt: new Date('2027-03-12T00:00:00.000Z') });
    expect(resolveExpiry('2029-03-10', NOW)).toEqual({ ok: true, expiresAt: new Date('2029-03-11T00:00:00.000Z') });
    expect(resolveExpiry('2027-03-10', NOW)).toMatchObject({ ok: false, message: expect.stringContaining('2027-03-11') });
    expect(resolveExpiry('2029-03-11', NOW)).toMatchObject({ ok: false, message: expect.stringContaining('2029-03-10') });
    expect(resolveExpiry('2028-02-30', NOW)).toEqual({ ok: false, message: 'This date does not exist.' });
  });

  it('takes a date and time as that moment, from one day to two years from now', () => {
    expect(resolveExpiry('2027-03-11T15:30:00Z', NOW)).toEqual({ ok: true, expiresAt: new Date('2027-03-11T15:30:00Z') });
    expect(resolveExpiry('2027-03-11T15:29:59Z', NOW)).toMatchObject({ ok: false });
    expect(resolveExpiry('2029-03-10T15:30:00Z', NOW)).toMatchObject({ ok: true });
    expect(resolveExpiry('2029-03-10T15:30:01Z', NOW)).toMatchObject({ ok: false });
    expect(resolveExpiry('2027-06-01T12:00+02:00', NOW)).toEqual({ ok: true, expiresAt: new Date('2027-06-01T10:00:00Z') });
  });
});

describe('expiryDateChoices', () => {
  it('offers tomorrow to two years from today, 90 days by default (UTC dates)', () => {
    expect(expiryDateChoices(NOW)).toEqual({ min: '2027-03-11', max: '2029-03-10', default: '2027-06-08' });
    // Every date it offers is accepted, at either end of the day.
    for (const now of [new Date('2027-03-10T00:00:01Z'), new Date('2027-03-10T23:59:59Z')]) {
      const choices = expiryDateChoices(now);
      for (const date of [choices.min, choices.default, choices.max]) expect(resolveExpiry(date, now).ok, `${date} at ${now.toISOString()}`).toBe(true);
    }
  });
});

describe('successorExpiry', () => {
  it('gives a rotated key’s successor the same lifetime, held between one day and two years', () => {
    const lifetime = (days: number) => ({ createdAt: new Date(NOW.getTime() - 5 * DAY), expiresAt: new Date(NOW.getTime() - 5 * DAY + days * DAY) });
    expect(successorExpiry(lifetime(30), NOW)).toEqual(new Date(NOW.getTime() + 30 * DAY));
    expect(successorExpiry({ createdAt: NOW, expiresAt: new Date(NOW.getTime() + 3_600_000) }, NOW)).toEqual(new Date(NOW.getTime() + DAY));
    expect(successorExpiry(lifetime(5000), NOW)).toEqual(new Date('2029-03-10T15:30:00.000Z'));
  });
});

describe('createApiKeySchema', () => {
  it('trims and normalises the name; parsing its own output again gives the same', () => {
    const parsed = createApiKeySchema.parse({ name: '  Cafe\u0301 bot ', scopes: ['audit:read'] });
    expect(parsed).toEqual({ name: 'Café bot', scopes: ['audit:read'] });
    expect(createApiKeySchema.parse(parsed)).toEqual(parsed);
  });

  it('counts a name’s length in characters as a person would', () => {
    expect(createApiKeySchema.safeParse({ name: '🔑'.repeat(100), scopes: ['audit:read'] }).success).toBe(true);
    expect(createApiKeySchema.safeParse({ name: '🔑'.repeat(101), scopes: ['audit:read'] }).success).toBe(false);
  });

  it('refuses unknown, repeated and missing scopes with a message for the field', () => {
    for (const scopes of [[], ['audit:read', 'audit:read'], ['root'], 'audit:read', undefined]) {
      const result = createApiKeySchema.safeParse({ name: 'x', scopes });
      expect(result.success, JSON.stringify(scopes)).toBe(false);
      expect(result.error?.issues[0]?.path[0]).toBe('scopes');
    }
  });
});
