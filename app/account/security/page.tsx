import type { Metadata } from 'next';
import { sessionOrSignIn } from '@/app/_server/session';
import { AccountFrame } from '@/components/account/account-frame';
import { AuthenticatorAppSection } from '@/components/account/authenticator-app-section';
import { when } from '@/components/account/dates';
import { PasskeysSection } from '@/components/account/passkeys-section';
import { RecoveryCodesSection } from '@/components/account/recovery-codes-section';
import { RememberedBrowsersSection } from '@/components/account/remembered-browsers-section';
import { AccountSection } from '@/components/account/section';
import { NoScript } from '@/components/ui/no-script';
import { securityOverview } from '@/lib/auth/mfa-enrollment';
import { trustedDeviceDays } from '@/lib/auth/trusted-devices';

export const metadata: Metadata = { title: 'Security' };

/**
 * Two-step verification and passkeys. Server-rendered from the user's own data; the client
 * components only act through /api/account/…, which check the session (and a fresh sign-in for
 * sensitive changes) themselves.
 */
export default async function SecurityPage() {
  const session = await sessionOrSignIn('/account/security');
  const overview = await securityOverview(session);
  const hasSecondFactor = overview.totp || overview.passkeys.length > 0;
  const rememberDays = trustedDeviceDays();

  return (
    <AccountFrame
      current="/account/security"
      title="Two-step verification and passkeys"
      description={
        <>
          {hasSecondFactor
            ? 'Signing in with your password also asks for a second step.'
            : 'Add an authenticator app or a passkey so that your password alone cannot sign you in.'}
          {overview.mfaRequired ? ' Your account must keep at least one authenticator app or passkey.' : null}
        </>
      }
    >
      <NoScript />
      <AccountSection
        id="authenticator-app"
        title="Authenticator app"
        description="A 6-digit code from an app on your phone, which changes every 30 seconds."
      >
        <AuthenticatorAppSection enrolled={overview.totp} />
      </AccountSection>
      <AccountSection
        id="passkeys"
        title="Passkeys"
        description="Sign in with your fingerprint, face or screen lock instead of a password, or use a passkey as your second step."
      >
        <PasskeysSection
          passkeys={overview.passkeys.map((passkey) => ({
            id: passkey.id,
            nickname: passkey.nickname,
            created: when(passkey.createdAt),
            lastUsed: passkey.lastUsedAt ? when(passkey.lastUsedAt) : null,
            deviceType: passkey.deviceType,
          }))}
        />
      </AccountSection>
      <AccountSection
        id="recovery-codes"
        title="Recovery codes"
        description="One-time codes that sign you in if you lose your authenticator app or passkey."
      >
        <RecoveryCodesSection remaining={overview.recoveryCodes} hasSecondFactor={hasSecondFactor} />
      </AccountSection>
      {rememberDays > 0 || overview.rememberedBrowsers.length > 0 ? (
        <AccountSection
          id="remembered-browsers"
          title="Remembered browsers"
          description={`Browsers where you chose “Remember this browser” skip the second step (never the password) for ${rememberDays} days.`}
        >
          <RememberedBrowsersSection
            browsers={overview.rememberedBrowsers.map((browser) => ({
              id: browser.id,
              name: `${browser.browser} on ${browser.os}`,
              ip: browser.ip,
              created: when(browser.createdAt),
              lastUsed: when(browser.lastUsedAt),
            }))}
          />
        </AccountSection>
      ) : null}
    </AccountFrame>
  );
}
