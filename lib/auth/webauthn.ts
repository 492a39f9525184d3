import 'server-only';

/**
 * Passkeys (WebAuthn): registration, passwordless sign-in, a passkey as the second factor, and
 * the user's own list of passkeys. Server side only; the pages and route handlers call these and
 * keep each ceremony's token in an HttpOnly cookie. One job per module under ./webauthn/.
 */
export { registrationOptions, verifyRegistration, type RegistrationFailure, type RegistrationResult } from './webauthn/registration';
export {
  authenticationOptions,
  verifyAuthentication,
  type AuthenticationFailure,
  type AuthenticationPurpose,
  type AuthenticationResult,
} from './webauthn/authentication';
export {
  countPasskeys,
  deletePasskey,
  listPasskeys,
  renamePasskey,
  type DeletePasskeyResult,
  type PasskeySummary,
  type RenamePasskeyResult,
} from './webauthn/passkeys';
export { deleteExpiredCeremonies } from './webauthn/ceremonies';
export { passkeyAmr, type PasskeyAssertionFlags } from './webauthn/amr';
export { PASSKEY_NICKNAME_MAX, parsePasskeyNickname } from './webauthn/nickname';
export { WEBAUTHN_CEREMONY_TTL_SECONDS, webauthnRelyingParty, type RelyingParty } from './webauthn/relying-party';
