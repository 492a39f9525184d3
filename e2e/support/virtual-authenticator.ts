import type { CDPSession, Page } from '@playwright/test';

/**
 * A passkey authenticator in the browser under test, through the Chrome DevTools WebAuthn domain:
 * CTAP2, built in ("internal"), holds discoverable credentials, verifies the user (as a
 * fingerprint would) and answers every request at once.
 */
export class VirtualAuthenticator {
  private constructor(
    private readonly cdp: CDPSession,
    readonly id: string,
  ) {}

  static async attach(page: Page): Promise<VirtualAuthenticator> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return new VirtualAuthenticator(cdp, authenticatorId);
  }

  /**
   * The virtual authenticator answers the email field's passkey autofill (conditional mediation)
   * at once, as if the user picked the passkey from the suggestions. Tests of the other ways in
   * (the button, the password) make the page's browser report no autofill support instead.
   */
  static async withoutAutofill(page: Page): Promise<void> {
    await page.addInitScript(() => {
      Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: async () => false });
    });
  }

  /** Off: the authenticator waits for a touch that never comes (a request stays pending until aborted). */
  async setPresenceSimulation(enabled: boolean): Promise<void> {
    await this.cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: this.id, enabled });
  }

  /** The credentials the authenticator holds (each with its RP ID and user handle). */
  async credentials() {
    return (await this.cdp.send('WebAuthn.getCredentials', { authenticatorId: this.id })).credentials;
  }

  /** Takes the credentials out of the authenticator (returned, so that `restore` can put them back). */
  async takeCredentials() {
    const credentials = await this.credentials();
    for (const { credentialId } of credentials) await this.cdp.send('WebAuthn.removeCredential', { authenticatorId: this.id, credentialId });
    return credentials;
  }

  async restore(credentials: Awaited<ReturnType<VirtualAuthenticator['credentials']>>): Promise<void> {
    for (const credential of credentials) await this.cdp.send('WebAuthn.addCredential', { authenticatorId: this.id, credential });
  }

  /** Makes the authenticator refuse user verification (a wrong fingerprint), or accept it again. */
  async setUserVerified(isUserVerified: boolean): Promise<void> {
    await this.cdp.send('WebAuthn.setUserVerified', { authenticatorId: this.id, isUserVerified });
  }
}
