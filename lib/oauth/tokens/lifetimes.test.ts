import { describe, expect, it } from 'vitest';
import {
  AUTHORIZATION_CODE_TTL_SECONDS,
  clampTokenTtl,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  ID_TOKEN_TTL_SECONDS,
  MAX_TOKEN_TTL_SECONDS,
} from './lifetimes';

describe('token lifetimes', () => {
  it('have the documented values', () => {
    expect({ MAX_TOKEN_TTL_SECONDS, ID_TOKEN_TTL_SECONDS, DEFAULT_ACCESS_TOKEN_TTL_SECONDS, AUTHORIZATION_CODE_TTL_SECONDS }).toEqual({
      MAX_TOKEN_TTL_SECONDS: 86_400,
      ID_TOKEN_TTL_SECONDS: 3_600,
      DEFAULT_ACCESS_TOKEN_TTL_SECONDS: 3_600,
      AUTHORIZATION_CODE_TTL_SECONDS: 60,
    });
  });

  it('are clamped to 1 s .. MAX_TOKEN_TTL_SECONDS, in whole seconds', () => {
    expect(clampTokenTtl(3600)).toBe(3600);
    expect(clampTokenTtl(86_401)).toBe(MAX_TOKEN_TTL_SECONDS);
    expect(clampTokenTtl(Number.POSITIVE_INFINITY)).toBe(MAX_TOKEN_TTL_SECONDS);
    expect(clampTokenTtl(0)).toBe(1);
    expect(clampTokenTtl(-5)).toBe(1);
    expect(clampTokenTtl(59.9)).toBe(59);
    expect(() => clampTokenTtl(Number.NaN)).toThrow(TypeError);
  });
});
