import { totpAt, totpForStep, totpStep } from '../../tests/support/totp';

const STEP_MS = 30_000;

/**
 * The test's authenticator app: computes codes from the setup key the page showed (with the
 * RFC 6238 implementation in tests/support/totp.ts, independent of the server's), and never
 * offers a code of a time step it already used, as Optare refuses those as replays. Optare
 * accepts the step before and after the current one, so up to three fresh codes exist at any
 * moment; after that, `nextCode` waits for the clock to move on.
 */
export class AuthenticatorApp {
  private lastStep = -Infinity;

  constructor(readonly secret: string) {}

  /**
   * A code Optare accepts now and has not seen: the earliest unused step of the window. The step
   * before the current one only when the clock is not about to move on (the request takes a moment).
   */
  async nextCode(): Promise<string> {
    for (;;) {
      const now = totpStep(Date.now());
      const candidates = [...(msIntoStep() < STEP_MS - 3000 ? [now - 1] : []), now, now + 1];
      const step = candidates.find((candidate) => candidate > this.lastStep);
      if (step !== undefined) {
        this.lastStep = step;
        return totpForStep(this.secret, step);
      }
      await new Promise((resolve) => setTimeout(resolve, STEP_MS - msIntoStep() + 200));
    }
  }

  /** The code of `steps` steps ago (outside the accepted window when steps ≥ 2). */
  codeFrom(stepsAgo: number): string {
    return totpAt(this.secret, new Date(), -stepsAgo);
  }

  /** Whether `code` is also the code of a step inside the accepted window (a one-in-a-million collision). */
  isInsideWindow(code: string): boolean {
    return [-1, 0, 1].some((offset) => totpAt(this.secret, new Date(), offset) === code);
  }
}

function msIntoStep(): number {
  return Date.now() % STEP_MS;
}
