import type { ConsoleMessage, Page } from '@playwright/test';

export interface CspViolation {
  page: string;
  directive: string;
  blocked: string;
  sample: string;
}

/** A console error the test expects, e.g. Chromium's log line for a 401 the test provoked. */
export interface ExpectedConsoleError {
  /** The path of the resource the message is about. */
  path: string;
  /** A part of the message, e.g. "status of 401" or "net::ERR_FAILED". */
  text: string;
}

const BINDING = '__optareReportCspViolation';

/**
 * Watches one page for everything that must never happen: CSP violations (a
 * `securitypolicyviolation` listener installed before any page script runs), console errors
 * (Chromium also logs every violation there) and uncaught exceptions. The fixture in
 * fixtures.ts fails the test if any of them fired.
 */
export class PageGuard {
  readonly violations: CspViolation[] = [];
  readonly consoleErrors: string[] = [];
  readonly pageErrors: string[] = [];
  private readonly expected: ExpectedConsoleError[] = [];

  constructor(private readonly page: Page) {}

  async install(): Promise<void> {
    await this.page.exposeBinding(BINDING, ({ frame }, violation: Omit<CspViolation, 'page'>) => {
      this.violations.push({ page: frame.url(), ...violation });
    });
    await this.page.addInitScript((binding: string) => {
      document.addEventListener(
        'securitypolicyviolation',
        (event) => {
          const report = (window as unknown as Record<string, (v: unknown) => void>)[binding];
          report?.({ directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample });
        },
        true,
      );
    }, BINDING);
    this.page.on('console', (message) => {
      if (message.type() === 'error' && !this.isExpected(message)) {
        this.consoleErrors.push(`${message.text()} (at ${message.location().url || this.page.url()})`);
      }
    });
    this.page.on('pageerror', (error) => this.pageErrors.push(error.message));
  }

  /** Declares a console error the test provokes on purpose (e.g. the browser logging a 401). */
  expectConsoleError(expected: ExpectedConsoleError): void {
    this.expected.push(expected);
  }

  /** Returns and forgets the violations seen so far (for the test that proves the guard works). */
  takeViolations(): CspViolation[] {
    return this.violations.splice(0);
  }

  takeConsoleErrors(): string[] {
    return this.consoleErrors.splice(0);
  }

  private isExpected(message: ConsoleMessage): boolean {
    const location = message.location().url;
    if (!location) return false;
    let path: string;
    try {
      path = new URL(location).pathname;
    } catch {
      return false;
    }
    return this.expected.some((expected) => expected.path === path && message.text().includes(expected.text));
  }
}
