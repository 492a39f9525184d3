import { describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMIT, readJsonObject } from './body';
import type { ProtocolRequest } from './protocol-message';

const URL_ = 'http://localhost/api';

function jsonRequest(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request(URL_, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

/** A request whose body is streamed in chunks, without a Content-Length. */
function streamedRequest(chunks: Uint8Array[], onPull?: () => void): Request {
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      onPull?.();
      const chunk = chunks[index++];
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
  return new Request(URL_, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    duplex: 'half',
  } as RequestInit);
}

describe('readJsonObject', () => {
  it('returns the parsed object', async () => {
    const result = await readJsonObject(jsonRequest(JSON.stringify({ email: 'a@example.com', n: 1 })));
    expect(result).toEqual({ ok: true, value: { email: 'a@example.com', n: 1 } });
  });

  it('accepts application/json with parameters, in any case', async () => {
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8']) {
      const result = await readJsonObject(jsonRequest('{}', { 'content-type': type }));
      expect(result, type).toEqual({ ok: true, value: {} });
    }
  });

  it('refuses other media types with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/json-patch+json', 'text/json', '']) {
      const result = await readJsonObject(jsonRequest('{}', { 'content-type': type }));
      expect(result, type).toMatchObject({ ok: false, status: 415, error: 'unsupported_media_type' });
    }
    const untyped = new Request(URL_, { method: 'POST', body: new Uint8Array([0x7b, 0x7d]) });
    expect(await readJsonObject(untyped)).toMatchObject({ ok: false, status: 415 });
  });

  it('refuses with 413 a declared Content-Length over the limit without reading the body', async () => {
    const request = jsonRequest('{}', { 'content-length': String(DEFAULT_BODY_LIMIT + 1) });
    expect(await readJsonObject(request)).toMatchObject({ ok: false, status: 413, error: 'payload_too_large' });
    expect(request.bodyUsed).toBe(false);
  });

  it('accepts a body of exactly the limit and refuses one byte more', async () => {
    const exact = `{"a":"${'x'.repeat(DEFAULT_BODY_LIMIT - 8)}"}`;
    expect(exact).toHaveLength(DEFAULT_BODY_LIMIT);
    expect(await readJsonObject(jsonRequest(exact))).toMatchObject({ ok: true });
    const over = `{"a":"${'x'.repeat(DEFAULT_BODY_LIMIT - 7)}"}`;
    expect(await readJsonObject(jsonRequest(over))).toMatchObject({ ok: false, status: 413 });
  });

  it('refuses with 413 a streamed body without Content-Length, and stops reading at the limit', async () => {
    const chunk = new Uint8Array(4096).fill(0x20);
    let pulls = 0;
    const request = streamedRequest(Array.from({ length: 100 }, () => chunk), () => pulls++);
    expect(request.headers.get('content-length')).toBeNull();
    expect(await readJsonObject(request, 10_000)).toMatchObject({ ok: false, status: 413 });
    expect(pulls).toBeLessThan(10);
  });

  it('refuses with 413 a body larger than its declared Content-Length claims', async () => {
    const request = jsonRequest(`{"a":"${'x'.repeat(DEFAULT_BODY_LIMIT)}"}`, { 'content-length': '10' });
    expect(await readJsonObject(request)).toMatchObject({ ok: false, status: 413 });
  });

  it('reads a streamed body in several chunks', async () => {
    const encoder = new TextEncoder();
    const request = streamedRequest([encoder.encode('{"name":"Zo'), encoder.encode('ë"}')]);
    expect(await readJsonObject(request)).toEqual({ ok: true, value: { name: 'Zoë' } });
  });

  it('honours a custom limit', async () => {
    expect(await readJsonObject(jsonRequest('{"a":"12345"}'), 5)).toMatchObject({ ok: false, status: 413 });
  });

  it('refuses invalid UTF-8 with 400 instead of replacing the bytes', async () => {
    for (const bytes of [[0xff, 0xfe], [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d], [0xed, 0xa0, 0x80]]) {
      const result = await readJsonObject(jsonRequest(new Uint8Array(bytes)));
      expect(result).toEqual({ ok: false, status: 400, error: 'invalid_request', message: 'The request body is not valid UTF-8.' });
    }
  });

  it('refuses an empty body and malformed JSON with 400', async () => {
    for (const body of [null, '', '{', "{'a':1}", '{"a":1}}', 'undefined']) {
      const result = await readJsonObject(jsonRequest(body));
      expect(result, String(body)).toMatchObject({ ok: false, status: 400, message: 'The request body is not valid JSON.' });
    }
  });

  it('refuses JSON that is not an object with 400', async () => {
    for (const body of ['[]', '[{"email":"a@example.com"}]', 'null', '"text"', '42', 'true']) {
      const result = await readJsonObject(jsonRequest(body));
      expect(result, body).toMatchObject({ ok: false, status: 400, message: 'The request body must be a JSON object.' });
    }
  });
});

describe('readJsonObject on a body Optare’s server has already read (not a Fetch Request)', () => {
  const serverRequest = (body: string): ProtocolRequest => ({
    method: 'POST',
    url: URL_,
    headers: new Headers({ 'content-type': 'application/json' }),
    arrayBuffer: async () => new TextEncoder().encode(body).buffer as ArrayBuffer,
  });

  it('parses it, and refuses one over the limit with 413 even without a Content-Length', async () => {
    expect(await readJsonObject(serverRequest('{"email":"ada@example.com"}'))).toEqual({ ok: true, value: { email: 'ada@example.com' } });
    const big = JSON.stringify({ padding: 'x'.repeat(DEFAULT_BODY_LIMIT) });
    expect(await readJsonObject(serverRequest(big))).toMatchObject({ ok: false, status: 413, error: 'payload_too_large' });
    expect(await readJsonObject(serverRequest('{"a":'))).toMatchObject({ ok: false, status: 400 });
  });
});
