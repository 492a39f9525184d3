/**
 * With OPTARE_ADMIN_ORIGIN set, the admin console has a hostname of its own (ASVS 3.5.4): a script
 * injected into a hosted login page cannot reach the console through the same-origin policy, and
 * one injected into the console cannot act as the identity provider. Each host serves only its
 * own application; everything else answers 404 there.
 *
 * The decision reads the Host header only: a browser always sends the host of the URL it loads,
 * so it cannot be steered into the other application. X-Forwarded-Host is never read (a proxy in
 * front must pass the original Host). Any given Host gets one application or the other, never
 * both, whatever a client puts in it.
 */

export type HostRoute =
  /** Serve it (the request is for the application of this host). */
  | 'serve'
  /** 404: the path belongs to the other host's application, or to none on this host. */
  | 'not_found'
  /** The console host's root: on to the console. */
  | 'console_home';

/** The console's pages (with next-auth's /admin/auth/**) and the routes its pages call. */
const CONSOLE_PATHS = ['/admin', '/api/admin/console'];
/** What the console host serves besides the console: Next.js's assets, icons, probes, CSP reports. */
const CONSOLE_HOST_EXTRAS = ['/_next', '/favicon.ico', '/icon.svg', '/healthz', '/readyz', '/csp-report'];
/** Cheap pre-check on the issuer host: a path without these cannot resolve to a console path. */
const MAY_BE_CONSOLE = /admin|%/i;

export interface HostRouter {
  /** The route for a request's Host header and path (a request target, query and all, is fine). */
  route(host: string | undefined | null, path: string): HostRoute;
  /** Whether this Host header names the console's host. */
  isConsoleHost(host: string | undefined | null): boolean;
}

/** The router for OPTARE_ADMIN_ORIGIN, or null when it is unset (one origin serves everything). */
export function hostRouter(adminOrigin: string | null): HostRouter | null {
  if (adminOrigin === null) return null;
  const consoleHostname = new URL(adminOrigin).hostname;
  const isConsoleHost = (host: string | undefined | null) => host != null && hostnameOf(host) === consoleHostname;
  return {
    isConsoleHost,
    route(host, path) {
      if (isConsoleHost(host)) {
        const normalized = normalizePath(path);
        if (normalized === null) return 'not_found';
        if (normalized === '/') return 'console_home';
        return underAny(normalized, CONSOLE_PATHS) || underAny(normalized, CONSOLE_HOST_EXTRAS) ? 'serve' : 'not_found';
      }
      const pathOnly = path.split('?')[0]!;
      if (!MAY_BE_CONSOLE.test(pathOnly)) return 'serve';
      const normalized = normalizePath(path);
      // Not decodable: Next.js cannot route it to the console either, so it is left to answer.
      return normalized !== null && underAny(normalized, CONSOLE_PATHS) ? 'not_found' : 'serve';
    },
  };
}

/**
 * The hostname of a Host header as a browser's origin has it: lowercase, without the port or a
 * final dot. The console's hostname differs from the issuer's (lib/config/load.ts), so the port
 * plays no part: whichever port a proxy forwards, the hostname says which application it is.
 */
export function hostnameOf(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    name = end === -1 ? name : name.slice(0, end + 1);
  } else {
    const colon = name.indexOf(':');
    if (colon !== -1) name = name.slice(0, colon);
  }
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * The path as a router would see it: the query cut, dot segments resolved, percent-escapes
 * decoded, repeated and trailing slashes folded, lowercase (a variant in another case is judged
 * like the path it spells). Null when it cannot be decoded.
 */
export function normalizePath(path: string): string | null {
  try {
    const decoded = decodeURIComponent(resolvePath(path.split('?')[0]!));
    // Decoding may reveal dot segments (%2e%2e), slashes (%2f) or backslashes: resolve once more.
    const again = resolvePath(decoded);
    const folded = again.replace(/\/{2,}/g, '/').toLowerCase();
    return folded.length > 1 ? folded.replace(/\/+$/, '') : folded;
  } catch {
    return null;
  }
}

/** Dot segments resolved; a leading `//` is a path here, not the start of another host. */
function resolvePath(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  return new URL(slashed.startsWith('//') ? slashed.replace(/^\/+/, '/') : slashed, 'http://path.invalid').pathname;
}

function underAny(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
