import type { ProtocolRequest } from './protocol-message';

export const DEFAULT_BODY_LIMIT = 16 * 1024;

export type BodyResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 413 | 415; error: string; message: string };

/**
 * Reads a JSON object body with a size cap, strict UTF-8 and a JSON object at the top. Every
 * failure is a clear 4xx; nothing is read past the limit.
 */
export async function readJsonObject(request: ProtocolRequest, limit = DEFAULT_BODY_LIMIT): Promise<BodyResult<Record<string, unknown>>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return { ok: false, status: 415, error: 'unsupported_media_type', message: 'Send the request as application/json.' };
  }
  const raw = await readLimited(request, limit);
  if (raw === null) {
    return { ok: false, status: 413, error: 'payload_too_large', message: `The request body exceeds ${limit} bytes.` };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { ok: false, status: 400, error: 'invalid_request', message: 'The request body is not valid UTF-8.' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, error: 'invalid_request', message: 'The request body is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, status: 400, error: 'invalid_request', message: 'The request body must be a JSON object.' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * The body's bytes, or null as soon as it is larger than `limit`. A Fetch Request's body is read
 * as a stream and left unread past the limit; Optare's own server hands over a body it has
 * already read within its cap (lib/server/protocol-fast-path.ts).
 */
async function readLimited(request: ProtocolRequest, limit: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) return null;
  if (!(request instanceof Request)) {
    const whole = new Uint8Array(await request.arrayBuffer());
    return whole.byteLength > limit ? null : whole;
  }
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
