import { describe, expect, it } from 'vitest';
import { scopesOfRequestedClaims, userClaims } from './claims';

const USER = { id: 'u-1', email: 'ada@example.com', name: 'Ada', updatedAt: new Date('2026-01-02T03:04:05.600Z') };
const UPDATED_AT = Math.floor(USER.updatedAt.getTime() / 1000);
const EVERYTHING = {
  userinfo: { name: null, updated_at: null, email: { essential: true }, email_verified: null, phone_number: null },
  id_token: { name: { essential: true }, email: null, auth_time: { essential: true } },
};

describe('scopesOfRequestedClaims', () => {
  it('names the scope that releases each claim asked for in either member, once, never openid', () => {
    expect(scopesOfRequestedClaims(EVERYTHING)).toEqual(['profile', 'email']);
    expect(scopesOfRequestedClaims({ id_token: { sub: null, auth_time: null, acr: null } })).toEqual([]);
  });

  it('asks for nothing when the parameter is malformed', () => {
    for (const value of [null, undefined, 'name', [], { userinfo: ['name'] }, { userinfo: 5 }]) {
      expect(scopesOfRequestedClaims(value)).toEqual([]);
    }
  });
});

describe('userClaims', () => {
  it('userinfo: sub and the claims of the granted scopes', () => {
    expect(userClaims(USER, ['openid', 'profile'], null, 'userinfo')).toEqual({ sub: 'u-1', name: 'Ada', updated_at: UPDATED_AT });
    expect(userClaims(USER, ['openid', 'email'], null, 'userinfo')).toEqual({ sub: 'u-1', email: 'ada@example.com', email_verified: false });
  });

  it('never releases a claim the claims parameter names outside the granted scopes', () => {
    expect(userClaims(USER, ['openid'], EVERYTHING, 'userinfo')).toEqual({ sub: 'u-1' });
    expect(userClaims(USER, ['openid'], EVERYTHING, 'id_token')).toEqual({ sub: 'u-1' });
    expect(userClaims(USER, ['openid', 'profile'], EVERYTHING, 'userinfo')).toEqual({ sub: 'u-1', name: 'Ada', updated_at: UPDATED_AT });
  });

  it('id_token: only the claims its member names, within the granted scopes', () => {
    expect(userClaims(USER, ['openid', 'profile', 'email'], EVERYTHING, 'id_token')).toEqual({ sub: 'u-1', name: 'Ada', email: 'ada@example.com' });
    expect(userClaims(USER, ['openid', 'email'], EVERYTHING, 'id_token')).toEqual({ sub: 'u-1', email: 'ada@example.com' });
    expect(userClaims(USER, ['openid', 'profile', 'email'], null, 'id_token')).toEqual({ sub: 'u-1' });
  });

  it('ignores names that are not claims of a user, including inherited object members', () => {
    const odd = { id_token: { constructor: null, __proto__: null, toString: null, sub: null } };
    expect(userClaims(USER, ['openid', 'profile', 'email'], JSON.parse(JSON.stringify(odd)), 'id_token')).toEqual({ sub: 'u-1' });
  });
});
