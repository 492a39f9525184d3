import type { FieldErrors } from '@/lib/validation/account';

export const NETWORK_ERROR_MESSAGE = 'Could not reach Optare. Check your connection and try again.';
export const UNEXPECTED_ERROR_MESSAGE = 'Something went wrong on our side. Try again in a moment.';

export type PostResult =
  | { ok: true; redirectTo: string }
  | { ok: false; status: number | null; code: string; message: string; fieldErrors: FieldErrors };

/**
 * Where a successful answer's `redirectTo` may lead: a path on this site (anything else goes
 * home), or — for decisions that end at a client's redirect URI — any URL whose scheme cannot
 * run script here (anything else is an unexpected answer).
 */
export type Follow = 'same-origin' | 'navigable';

/**
 * POSTs a form to one of Optare's JSON endpoints and reads the one error shape they share
 * ({ error, message, fieldErrors? }). Never throws: a network failure and a response that is
 * not ours (a proxy's HTML error page) become results the form can show.
 */
export async function postJson(url: string, body: unknown, follow: Follow = 'same-origin'): Promise<PostResult> {
  const sent = await send(url, body);
  if (!sent.ok) return sent.failure;
  const { response, payload } = sent;
  if (response.ok) {
    if (follow === 'same-origin') return { ok: true, redirectTo: sameOriginPath(payload?.redirectTo) };
    const target = payload?.redirectTo;
    if (typeof target === 'string' && isNavigable(target)) return { ok: true, redirectTo: target };
    return { ok: false, status: response.status, code: 'unexpected_response', message: UNEXPECTED_ERROR_MESSAGE, fieldErrors: {} };
  }
  return errorOf(response, payload);
}

export type CallResult =
  | { ok: true; data: Record<string, unknown> }
  | (Extract<PostResult, { ok: false }> & {
      /** Where the server suggests going to fix it (e.g. sign in again): a path on this site, or null. */
      redirectTo: string | null;
    });

/**
 * POSTs to one of Optare's JSON endpoints and returns the answer's body (for endpoints that
 * answer with data, not a navigation), or the shared error shape. Never throws.
 */
export async function callJson(url: string, body: unknown = {}): Promise<CallResult> {
  const sent = await send(url, body);
  if (!sent.ok) return { ...sent.failure, redirectTo: null };
  const { response, payload } = sent;
  if (response.ok && payload) return { ok: true, data: payload };
  const failure = response.ok ? { ...errorOf(response, null), status: response.status } : errorOf(response, payload);
  return { ...failure, redirectTo: typeof payload?.redirectTo === 'string' ? sameOriginPath(payload.redirectTo) : null };
}

type Failure = Extract<PostResult, { ok: false }>;

/** The one fetch both helpers make: a same-origin JSON POST that never follows redirects. */
async function send(
  url: string,
  body: unknown,
): Promise<{ ok: true; response: Response; payload: Record<string, unknown> | null } | { ok: false; failure: Failure }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    });
    return { ok: true, response, payload: await readJsonObject(response) };
  } catch {
    return { ok: false, failure: { ok: false, status: null, code: 'network_error', message: NETWORK_ERROR_MESSAGE, fieldErrors: {} } };
  }
}

/** Optare's error shape ({ error, message, fieldErrors? }), or "unexpected" for anything else. */
function errorOf(response: Response, payload: Record<string, unknown> | null): Failure {
  return {
    ok: false,
    status: response.status,
    code: typeof payload?.error === 'string' ? payload.error : 'unexpected_response',
    message: typeof payload?.message === 'string' && payload.message ? payload.message : UNEXPECTED_ERROR_MESSAGE,
    fieldErrors: fieldErrorsFrom(payload?.fieldErrors),
  };
}

async function readJsonObject(response: Response): Promise<Record<string, unknown> | null> {
  if (!/^application\/json\b/i.test(response.headers.get('content-type') ?? '')) return null;
  try {
    const value: unknown = await response.json();
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function fieldErrorsFrom(value: unknown): FieldErrors {
  if (typeof value !== 'object' || value === null) return {};
  const errors: FieldErrors = {};
  for (const [field, messages] of Object.entries(value)) {
    if (Array.isArray(messages)) {
      const strings = messages.filter((message): message is string => typeof message === 'string' && message.length > 0);
      if (strings.length > 0) errors[field] = strings;
    }
  }
  return errors;
}

/**
 * Only a path on this origin is followed: "/x" but not "//evil.example" or "/\evil.example",
 * which browsers read as another host. Anything else goes home.
 */
export function sameOriginPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  try {
    const url = new URL(value, window.location.origin);
    return url.origin === window.location.origin ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

/** A same-origin path or an absolute URL whose scheme cannot run script here. */
function isNavigable(value: string): boolean {
  if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) return true;
  try {
    return !['javascript:', 'data:', 'vbscript:', 'blob:', 'file:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
