import { describe, expect, it } from 'vitest';
import { corsHeaders, preflightResponse } from './cors';

const allowed = ['https://app.example.com', 'http://localhost:5173'];

function preflight(origin: string | null, method: string | null = 'POST', extra: Record<string, string> = {}) {
  const headers = new Headers(extra);
  if (origin !== null) headers.set('Origin', origin);
  if (method !== null) headers.set('Access-Control-Request-Method', method);
  return new Request('http://localhost:3000/oauth/token', { method: 'OPTIONS', headers });
}

describe('corsHeaders', () => {
  it('echoes a registered origin, without credentials, and always varies on Origin', () => {
    expect(corsHeaders('https://app.example.com', allowed)).toEqual({
      Vary: 'Origin',
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Access-Control-Expose-Headers': 'WWW-Authenticate',
    });
  });

  it('gives nothing but Vary to unregistered, look-alike, null or absent origins', () => {
    for (const origin of [
      'https://evil.example',
      'https://app.example.com.evil.example',
      'https://app.example.com/',
      'https://APP.example.com',
      'http://app.example.com',
      'null',
      null,
    ]) {
      expect(corsHeaders(origin, allowed), String(origin)).toEqual({ Vary: 'Origin' });
    }
    expect(corsHeaders('null', ['null'])).toEqual({ Vary: 'Origin' });
  });

  it('never allows credentials', () => {
    expect(Object.keys(corsHeaders('https://app.example.com', allowed))).not.toContain('Access-Control-Allow-Credentials');
  });
});

describe('preflightResponse', () => {
  it('answers an allowed origin with 204, the methods, headers and max-age', () => {
    const response = preflight('http://localhost:5173', 'POST', { 'Access-Control-Request-Headers': 'authorization, content-type' });
    const answer = preflightResponse(response, allowed);
    expect(answer.status).toBe(204);
    expect(Object.fromEntries(answer.headers)).toEqual({
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'Authorization, Content-Type',
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    });
  });

  it('refuses other origins, a missing Origin and other methods with 403 and no CORS headers', () => {
    for (const request of [preflight('https://evil.example'), preflight(null), preflight('null'), preflight('https://app.example.com', 'DELETE'), preflight('https://app.example.com', null)]) {
      const answer = preflightResponse(request, allowed);
      expect(answer.status).toBe(403);
      expect([...answer.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it("allows any origin for public documents with 'any'", () => {
    const answer = preflightResponse(preflight('https://anyone.example', 'GET'), 'any');
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflightResponse(preflight(null, 'GET'), 'any').status).toBe(403);
  });
});
