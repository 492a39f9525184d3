/** Every audit event type, `noun.verb`. Add new ones here; nothing else may be recorded. */
export const AUDIT_EVENT_TYPES = [
  'user.created',
  'user.disabled',
  'user.enabled',
  /** The user changed their own name on the account page. */
  'user.profile_updated',
  /** The user changed their password; details.sessionsEnded, grantsRevoked. */
  'user.password_changed',
  /** A reset link was asked for: outcome failure (details.reason) when nothing was sent. */
  'user.password_reset_requested',
  /** A password set through a reset link: every session, grant and remembered browser ended. */
  'user.password_reset',
  'user.email_verification_sent',
  'user.email_verified',
  /** A link to confirm a new address was sent (the address changes only when it is used). */
  'user.email_change_requested',
  'user.email_changed',
  'auth.sign_in',
  'auth.sign_out',
  'session.expired',
  'session.revoked',
  'settings.changed',
  'consent.granted',
  'consent.denied',
  /** The user disconnected an app: its consent deleted and its grants revoked. */
  'consent.revoked',
  /**
   * The user removed scopes from an app's consent: details.before, details.after (scopes) and
   * grantsRevoked (the grants holding a removed scope, revoked so the app must ask again).
   */
  'consent.narrowed',
  'client.created',
  'client.deleted',
  'client.secret_rotated',
  /** An administrator or API key changed a client's settings; details.changes (before/after). */
  'client.updated',
  'client.disabled',
  'client.enabled',
  /** Admin plane: a user's role, sessions or factors changed by an administrator or API key. */
  'user.updated',
  'user.admin_granted',
  'user.admin_revoked',
  /** Every session, grant and remembered browser of the user ended by an administrator. */
  'user.signed_out_everywhere',
  /**
   * Every user's sessions, unfinished sign-ins and remembered browsers ended at once by an
   * administrator (lib/admin/end-all-sessions.ts): details the counts, keptOwnSession, reason.
   */
  'sessions.ended_all',
  /** An administrator removed every second factor of a user; details.reason says why. */
  'user.mfa_reset',
  /**
   * An account deleted, by its owner (details.via self) or an administrator (via admin, reason):
   * details.pseudonym (what its audit events now carry), what was removed, eventsPseudonymised.
   */
  'user.deleted',
  /** A user's data exported: by the user (details.via self) or an administrator (via admin, reason). */
  'user.exported',
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  /** An administrator exported audit events; details.format and the filter. */
  'audit.exported',
  /**
   * The retention job deleted the oldest events: details.throughSeq (the last one deleted),
   * lastHash (its hash, hex: the oldest kept event's prev_hash), retentionDays, deleted.
   * Verification starts from it (lib/audit/verify.ts).
   */
  'audit.pruned',
  /** The first administrator created through the one-time setup link. */
  'admin.setup_completed',
  /** The admin console refused a signed-in user (not an admin, no second factor, idle). */
  'admin.access_denied',
  'key.rotated',
  /**
   * Values sealed under an old encryption key re-sealed under the current one (CLI `keys reencrypt`):
   * subject and details.keyId the current key's id, per table the counts found, reencrypted,
   * changedMeanwhile and unreadable (outcome failure when any was unreadable).
   */
  'encryption.reencrypted',
  'token.code_reused',
  'token.refresh_reused',
  'token.revoked',
  'grant.revoked',
  'mfa.totp_enrolled',
  'mfa.totp_removed',
  'mfa.passkey_registered',
  'mfa.passkey_renamed',
  'mfa.passkey_removed',
  'mfa.recovery_codes_generated',
  /** The user's last second factor went, and its recovery codes with it. */
  'mfa.recovery_codes_removed',
  'mfa.recovery_code_used',
  'mfa.trusted_device_added',
  'mfa.trusted_device_removed',
  /** A second-factor or passkey verification: outcome success or failure, details.method and reason. */
  'auth.factor_verified',
  /** A pending sign-in discarded after too many wrong codes. */
  'auth.pending_login_locked',
  'auth.step_up',
  /** A rate limit refused a request: audited once per limit, key and window. */
  'security.rate_limited',
  /**
   * Refused requests (lib/audit/refusals.ts), each at most once a minute per reason, subject and
   * IP address: an admin API key refused (details.reason: missing, malformed, unknown, expired,
   * revoked, rotated, creator_inactive, insufficient_scope), an account API call without a live
   * session, a cross-site write (details.path, details.origin), and input an account or admin
   * API endpoint refused as invalid (security.invalid_input: details.reason the error code,
   * details.status, details.method; lib/audit/invalid-input.ts).
   */
  'api_key.refused',
  'account.access_denied',
  'security.cross_site_refused',
  'security.invalid_input',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export type AuditOutcome = 'success' | 'failure';

/** Who and where: taken from the request (or the CLI) and stored with every event. */
export interface AuditContext {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface AuditEventInput {
  type: AuditEventType;
  outcome: AuditOutcome;
  actorUserId?: string | null;
  /** The admin API key that made the change (admin API writes). */
  actorApiKeyId?: string | null;
  /** What the event is about, e.g. a user id or an email that was tried. */
  subject?: string | null;
  /** Small, secret-free facts: a failure reason, the method used. */
  details?: Record<string, AuditDetailValue | AuditFieldChange[]>;
  context: AuditContext;
}

export type AuditDetailValue = string | number | boolean | null | string[];

/**
 * One field an administrator (or an API key) changed, under the `changes` detail: the field's
 * name is a value, not a key, so a setting named like a secret (accessTokenTtl) can be recorded.
 * Secret fields are recorded as REDACTED by the caller, never with their value.
 */
export interface AuditFieldChange {
  field: string;
  before: AuditDetailValue;
  after: AuditDetailValue;
}

/** What a secret field's before and after values are recorded as. */
export const REDACTED = '[redacted]';
