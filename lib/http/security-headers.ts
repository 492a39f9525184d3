import { CSP_REPORT_GROUP, CSP_REPORT_PATH } from './csp-report-path';

export interface SecurityHeaderOptions {
  nonce: string;
  /** HSTS and upgrade-insecure-requests are sent only when the issuer is HTTPS. */
  https: boolean;
  /** Next.js development mode needs 'unsafe-eval' for its React refresh runtime. */
  dev?: boolean;
  /** Extra form-action sources, e.g. a client's redirect URI origin after consent. */
  formActions?: string[];
}

export function contentSecurityPolicy({ nonce, https, dev, formActions = [] }: SecurityHeaderOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    ["form-action 'self'", ...formActions].join(' '),
    "manifest-src 'self'",
    "worker-src 'self'",
    ...(https ? ['upgrade-insecure-requests'] : []),
    // Violations are reported to Optare (lib/http/csp-report.ts): report-to for current browsers,
    // report-uri for those without the Reporting API (a browser with both uses report-to).
    `report-uri ${CSP_REPORT_PATH}`,
    `report-to ${CSP_REPORT_GROUP}`,
  ];
  return directives.join('; ');
}

/** Every response carries these; proxy.ts applies them. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'Reporting-Endpoints': `${CSP_REPORT_GROUP}="${CSP_REPORT_PATH}"`,
    ...commonHeaders(options.https),
  };
}

/**
 * For responses that are never rendered as a page (the JSON protocol endpoints Optare's server
 * answers before Next.js): a CSP that allows nothing at all, and the same other headers.
 */
export function apiSecurityHeaders(https: boolean): Record<string, string> {
  return {
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ...commonHeaders(https),
  };
}

function commonHeaders(https: boolean): Record<string, string> {
  return {
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // Full referrer within Optare, none to other sites (authorization URLs carry OAuth parameters).
    'Referrer-Policy': 'same-origin',
    'Permissions-Policy':
      'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=(), ' +
      'publickey-credentials-get=(self), publickey-credentials-create=(self)',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(https ? { 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains' } : {}),
  };
}
