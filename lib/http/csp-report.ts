import 'server-only';
import { logger } from '../log/logger';
import { consume, limitKey } from '../rate-limit/limiter';
import { auditContextFrom } from './audit-context';
import { ProtocolResponse, type ProtocolRequest } from './protocol-message';
import { apiSecurityHeaders } from './security-headers';

export { CSP_REPORT_GROUP, CSP_REPORT_PATH } from './csp-report-path';

/**
 * The Content-Security-Policy reporting endpoint (ASVS 3.4.7): browsers POST here what the
 * policy blocked, as `application/csp-report` (CSP Level 2's `report-uri`) or
 * `application/reports+json` (the Reporting API's `report-to`). Each violation becomes one
 * warning in the request log, so operators see injection attempts and policy mistakes.
 *
 * Anyone can post here, so: at most REPORT_BODY_LIMIT bytes, a per-address limit, at most
 * MAX_LOGGED violations per request, and only a few known fields, cut short. URLs lose their
 * query string and fragment (a page's URL may hold an authorization request's parameters).
 * The answer is 204 whatever the report said, or a 4xx for what is not a report.
 */

export const REPORT_BODY_LIMIT = 8 * 1024;
const MAX_LOGGED = 5;
const FIELD_LIMIT = 200;
const REPORT_TYPES = /^application\/(csp-report|reports\+json|json)\s*(;|$)/i;

export interface CspViolation {
  directive: string | null;
  blocked: string | null;
  document: string | null;
  source: string | null;
  line: number | null;
  disposition: string | null;
}

export async function cspReportEndpoint(request: ProtocolRequest): Promise<ProtocolResponse> {
  const headers = { ...apiSecurityHeaders(new URL(request.url).protocol === 'https:'), 'cache-control': 'no-store' };
  const refuse = (status: number, error: string, message: string) => ProtocolResponse.json({ error, message }, status, headers);

  if (!REPORT_TYPES.test(request.headers.get('content-type') ?? '')) {
    return refuse(415, 'unsupported_media_type', 'Send application/csp-report or application/reports+json.');
  }
  if (Number(request.headers.get('content-length') ?? '0') > REPORT_BODY_LIMIT) {
    return refuse(413, 'payload_too_large', `A report is at most ${REPORT_BODY_LIMIT} bytes.`);
  }
  const context = auditContextFrom(request.headers);
  const verdict = await consume('cspReportIp', limitKey('csp-report', context.ip ?? ''), context);
  if (!verdict.allowed) {
    return ProtocolResponse.json({ error: 'rate_limited', message: 'Too many reports.' }, 429, { ...headers, 'retry-after': String(verdict.retryAfterSeconds) });
  }
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > REPORT_BODY_LIMIT) return refuse(413, 'payload_too_large', `A report is at most ${REPORT_BODY_LIMIT} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return refuse(400, 'invalid_report', 'The body is not JSON.');
  }
  const violations = cspViolationsOf(body);
  if (violations === null) return refuse(400, 'invalid_report', 'The body is not a CSP violation report.');
  for (const violation of violations.slice(0, MAX_LOGGED)) {
    logger().warn({ cspViolation: violation, ip: context.ip, requestId: context.requestId }, 'content security policy violation');
  }
  return new ProtocolResponse(204, headers);
}

/**
 * The violations in a report body: `{ "csp-report": {…} }` (report-uri) or an array of
 * `{ type: "csp-violation", body: {…} }` (report-to). Null when it is neither.
 */
export function cspViolationsOf(body: unknown): CspViolation[] | null {
  if (isObject(body) && isObject(body['csp-report'])) return [legacyViolation(body['csp-report'])];
  if (Array.isArray(body)) {
    const reports = body.filter((report): report is Record<string, unknown> => isObject(report) && report.type === 'csp-violation' && isObject(report.body));
    if (reports.length === 0) return null;
    return reports.map((report) => reportingApiViolation(report.body as Record<string, unknown>));
  }
  return null;
}

function legacyViolation(report: Record<string, unknown>): CspViolation {
  return {
    directive: text(report['effective-directive'] ?? report['violated-directive']),
    blocked: urlWithoutQuery(report['blocked-uri']),
    document: urlWithoutQuery(report['document-uri']),
    source: urlWithoutQuery(report['source-file']),
    line: lineNumber(report['line-number']),
    disposition: text(report.disposition),
  };
}

function reportingApiViolation(report: Record<string, unknown>): CspViolation {
  return {
    directive: text(report.effectiveDirective),
    blocked: urlWithoutQuery(report.blockedURL),
    document: urlWithoutQuery(report.documentURL),
    source: urlWithoutQuery(report.sourceFile),
    line: lineNumber(report.lineNumber),
    disposition: text(report.disposition),
  };
}

/** A URL as origin and path only; keywords such as `inline` or `eval` as they are. */
export function urlWithoutQuery(value: unknown): string | null {
  const raw = text(value);
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return `${url.origin}${url.pathname}`.slice(0, FIELD_LIMIT);
    return url.protocol; // data:, blob:, chrome-extension: … without their content
  } catch {
    return /^[a-z-]{1,20}$/i.test(raw) ? raw : null;
  }
}

function text(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  // Control characters would forge log lines in a text viewer; pino escapes them in JSON anyway.
  return value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, FIELD_LIMIT) || null;
}

function lineNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 1e9 ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
