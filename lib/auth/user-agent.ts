import Bowser from 'bowser';

/**
 * A browser as a person recognises it ("Firefox" on "Windows"), read from a stored User-Agent
 * header with bowser (a maintained parser, not our own regexes). For display only, never for a
 * decision: the header is whatever the client sent.
 */

export interface BrowserDescription {
  browser: string;
  os: string;
}

const UNKNOWN = 'Unknown';

/** Headers longer than this are not worth reading (Optare stores at most 512 characters). */
const MAX_LENGTH = 1024;

/** bowser's names where people know a shorter one. */
const BROWSER_NAMES: Record<string, string> = { 'Microsoft Edge': 'Edge', 'Chrome Headless': 'Chrome', 'Samsung Internet for Android': 'Samsung Internet' };
const OS_NAMES: Record<string, string> = { 'Chrome OS': 'ChromeOS' };

export function describeUserAgent(userAgent: string | null | undefined): BrowserDescription {
  if (!userAgent || userAgent.length > MAX_LENGTH) return { browser: UNKNOWN, os: UNKNOWN };
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name || UNKNOWN;
  const os = parsed.os.name || UNKNOWN;
  return { browser: BROWSER_NAMES[browser] ?? browser, os: OS_NAMES[os] ?? os };
}
