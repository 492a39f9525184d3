import { describe, expect, it } from 'vitest';
import { ACR_MULTI_FACTOR, ACR_PAPE_MULTI_FACTOR, ACR_SINGLE_FACTOR } from '../../auth/authentication-methods';
import { decide, type DecisionInput } from './decide';
import type { AuthorizationDetails } from './request';

const NOW = new Date('2026-12-01T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

const REQUEST: AuthorizationDetails = {
  clientId: 'oc_x',
  redirectUri: 'https://app.example/cb',
  scopes: ['openid', 'profile'],
  prompt: [],
};

function input(overrides: Partial<Omit<DecisionInput, 'request'>> & { request?: Partial<AuthorizationDetails> } = {}): DecisionInput {
  return {
    session: { userId: 'u1', authenticatedAt: minutesAgo(30), amr: ['pwd'] },
    client: { firstParty: false },
    consentedScopes: ['openid', 'profile'],
    now: NOW,
    ...overrides,
    request: { ...REQUEST, ...overrides.request },
  };
}

const next = (value: ReturnType<typeof decide>) => (value.next === 'error' ? value.error.code : value.next);

describe('decide', () => {
  it('issues when signed in and consent covers the scopes', () => {
    expect(next(decide(input()))).toBe('issue');
  });

  it('asks to sign in without a session; prompt=none answers login_required', () => {
    expect(next(decide(input({ session: null })))).toBe('sign_in');
    expect(next(decide(input({ session: null, request: { prompt: ['none'] } })))).toBe('login_required');
  });

  it('prompt=login asks for a new sign-in unless one happened since the request was stored', () => {
    expect(next(decide(input({ request: { prompt: ['login'] } })))).toBe('sign_in');
    // The session (30 minutes old) predates a request stored 29 minutes ago: not a new sign-in.
    expect(next(decide(input({ request: { prompt: ['login'] }, pendingSince: minutesAgo(29) })))).toBe('sign_in');
    // In the same millisecond it may have come first: not a new sign-in either.
    expect(next(decide(input({ request: { prompt: ['login'] }, pendingSince: minutesAgo(30) })))).toBe('sign_in');
    expect(next(decide(input({ request: { prompt: ['login'] }, pendingSince: new Date(minutesAgo(30).getTime() - 1) })))).toBe('issue');
    expect(next(decide(input({ request: { prompt: ['login'] }, pendingSince: minutesAgo(31) })))).toBe('issue');
  });

  it('max_age compares the session age in seconds, satisfied by a sign-in since the request', () => {
    expect(next(decide(input({ request: { maxAge: 1800 } })))).toBe('issue');
    expect(next(decide(input({ request: { maxAge: 1799 } })))).toBe('sign_in');
    expect(next(decide(input({ request: { maxAge: 1799, prompt: ['none'] } })))).toBe('login_required');
    expect(next(decide(input({ request: { maxAge: 0 }, pendingSince: minutesAgo(31) })))).toBe('issue');
  });

  it('an id_token_hint for another user asks to sign in; after a sign-in as someone else it is login_required', () => {
    expect(next(decide(input({ request: { hintSubject: 'u1' } })))).toBe('issue');
    expect(next(decide(input({ request: { hintSubject: 'u2' } })))).toBe('sign_in');
    expect(next(decide(input({ request: { hintSubject: 'u2', prompt: ['none'] } })))).toBe('login_required');
    expect(next(decide(input({ request: { hintSubject: 'u2' }, pendingSince: minutesAgo(31) })))).toBe('login_required');
  });

  it('asks for consent when it does not cover every scope, or for prompt=consent; first-party clients skip it', () => {
    expect(next(decide(input({ consentedScopes: null })))).toBe('consent');
    expect(next(decide(input({ consentedScopes: ['openid'] })))).toBe('consent');
    expect(next(decide(input({ consentedScopes: null, request: { prompt: ['none'] } })))).toBe('consent_required');
    expect(next(decide(input({ request: { prompt: ['consent'] } })))).toBe('consent');
    expect(next(decide(input({ consentedScopes: null, client: { firstParty: true }, request: { scopes: ['openid', 'offline_access'] } })))).toBe('issue');
    expect(next(decide(input({ client: { firstParty: true }, request: { prompt: ['consent'] } })))).toBe('consent');
  });

  it('prompt=select_account is a normal request', () => {
    expect(next(decide(input({ request: { prompt: ['select_account'] } })))).toBe('issue');
  });

  describe('step-up (acr_values asking for multi-factor authentication)', () => {
    const mfa = { acrValues: [ACR_MULTI_FACTOR] };
    const passwordSession = { userId: 'u1', authenticatedAt: minutesAgo(30), amr: ['pwd'], hasSecondFactor: true };

    it('asks a password-only session for the second factor; prompt=none answers login_required', () => {
      expect(next(decide(input({ session: passwordSession, request: mfa })))).toBe('step_up');
      expect(next(decide(input({ session: passwordSession, request: { acrValues: [ACR_PAPE_MULTI_FACTOR] } })))).toBe('step_up');
      expect(next(decide(input({ session: passwordSession, request: { ...mfa, prompt: ['none'] } })))).toBe('login_required');
    });

    it('issues for a session that already used two factors', () => {
      const session = { ...passwordSession, amr: ['pwd', 'otp', 'mfa'] };
      expect(next(decide(input({ session, request: mfa })))).toBe('issue');
    });

    it('issues when the user has no second factor to give (acr_values is voluntary)', () => {
      expect(next(decide(input({ session: { ...passwordSession, hasSecondFactor: false }, request: mfa })))).toBe('issue');
    });

    it('ignores single-factor and unknown acr values', () => {
      expect(next(decide(input({ session: passwordSession, request: { acrValues: [ACR_SINGLE_FACTOR, 'urn:x'] } })))).toBe('issue');
    });

    it('signs in first when there is no session', () => {
      expect(next(decide(input({ session: null, request: mfa })))).toBe('sign_in');
    });
  });

  it('sends a user the MFA policy requires a factor from to enrollment; prompt=none answers interaction_required', () => {
    const session = { userId: 'u1', authenticatedAt: minutesAgo(30), amr: ['pwd'], mustEnroll: true };
    expect(next(decide(input({ session })))).toBe('enroll');
    expect(next(decide(input({ session, request: { prompt: ['none'] } })))).toBe('interaction_required');
  });
});
