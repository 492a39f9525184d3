import 'server-only';
import type { Config } from '../config';
import { keyId } from '../crypto/encryption';
import { findLatestAuditDetails } from '../db/audit';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';

/** The security-relevant, non-secret settings whose changes are audited (keys by id only). */
export function auditedSettings(config: Config): Record<string, string> {
  return {
    issuer: config.issuer,
    database: config.database.kind,
    sessionIdleTimeout: String(config.session.idleTimeoutSeconds),
    sessionMaxAge: String(config.session.maxAgeSeconds),
    securityContact: config.securityContact,
    encryptionKeyId: keyId(config.encryption.current),
    previousEncryptionKeyIds: config.encryption.old.map(keyId).join(','),
    production: String(config.production),
    tls: config.tls ? 'on' : 'off',
    trustProxy: String(config.trustProxy),
    // Only when set, so that a deployment without it records no change at its next start.
    ...(config.adminOrigin ? { adminOrigin: config.adminOrigin } : {}),
  };
}

/** The audit subject of start-up's `settings.changed` (the admin console's changes have their own, lib/admin/settings.ts). */
export const CONFIGURATION_SUBJECT = 'configuration';

/**
 * At start, records `settings.changed` when the audited settings differ from those of the last
 * start (the first start records them all), so operators' configuration changes — a new issuer,
 * a rotated encryption key, longer sessions — leave a trace in the audit chain. Only start-up's
 * own events (subject `configuration`) are compared: changes made in the admin console since
 * (subject `runtime_settings`, details.changes before/after) are not the environment's.
 */
export async function auditSettingsChanges(config: Config, context: AuditContext): Promise<string[]> {
  const current = auditedSettings(config);
  const previous = (await findLatestAuditDetails('settings.changed', CONFIGURATION_SUBJECT)) ?? {};
  const changed = Object.keys(current).filter((name) => previous[name] !== current[name]);
  if (changed.length === 0) return [];
  await recordAuditEvent({
    type: 'settings.changed',
    outcome: 'success',
    subject: CONFIGURATION_SUBJECT,
    details: { ...current, changed },
    context,
  });
  return changed;
}
