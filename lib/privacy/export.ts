import 'server-only';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { methodsInWords } from '../auth/methods-in-words';
import { describeUserAgent } from '../auth/user-agent';
import { readUserRelatedAuditEvents } from '../db/admin-users';
import { readUserDataForExport, type UserExportRow } from '../db/privacy';
import { auditActor, type AdminActor } from '../admin/actor';

/**
 * "Download my data" (GDPR art. 15 and 20): everything Optare holds about a user, as one JSON
 * document, for the user themselves or for an administrator who says why. Never a secret or what
 * could stand in for one: no password hash, session or token hashes, TOTP secret, passkey public
 * key or counter, recovery codes (their count only) or email-link tokens. The user's audit events
 * are included (those they made, and those about their account); where someone else acted, that
 * person's IP address and browser are left out.
 */

export const EXPORT_FORMAT_VERSION = 1;

/** The audit events are read in pages of this size (the export holds them all). */
const AUDIT_PAGE = 500;

export interface UserDataExport {
  format: 'optare-user-export';
  version: number;
  exportedAt: string;
  profile: Record<string, unknown>;
  sessions: Record<string, unknown>[];
  rememberedBrowsers: Record<string, unknown>[];
  authenticatorApp: Record<string, unknown> | null;
  passkeys: Record<string, unknown>[];
  recoveryCodesRemaining: number;
  consents: Record<string, unknown>[];
  connectedApps: Record<string, unknown>[];
  pendingEmailLinks: Record<string, unknown>[];
  auditEvents: Record<string, unknown>[];
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The export's file name: optare-export-2026-11-30.json. */
export function exportFileName(now: Date): string {
  return `optare-export-${now.toISOString().slice(0, 10)}.json`;
}

/** The user's data, or null when no such user exists. `currentSessionId` marks the session asking. */
export async function buildUserExport(userId: string, currentSessionId: string | null, now = new Date()): Promise<UserDataExport | null> {
  const row = await readUserDataForExport(userId, now);
  if (!row) return null;
  return {
    format: 'optare-user-export',
    version: EXPORT_FORMAT_VERSION,
    exportedAt: now.toISOString(),
    profile: {
      id: row.id,
      email: row.email,
      name: row.name,
      emailVerified: row.emailVerifiedAt !== null,
      emailVerifiedAt: iso(row.emailVerifiedAt),
      isAdmin: row.isAdmin,
      disabledAt: iso(row.disabledAt),
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
    },
    sessions: row.sessions.map((session) => ({
      current: session.id === currentSessionId,
      ip: session.ip,
      userAgent: session.userAgent,
      ...describeUserAgent(session.userAgent),
      methods: methodsInWords(session.amr),
      amr: session.amr,
      createdAt: iso(session.createdAt),
      lastSeenAt: iso(session.lastSeenAt),
      authenticatedAt: iso(session.authenticatedAt),
      expiresAt: iso(session.idleExpiresAt < session.absoluteExpiresAt ? session.idleExpiresAt : session.absoluteExpiresAt),
    })),
    rememberedBrowsers: row.trustedDevices.map((device) => ({
      ip: device.ip,
      userAgent: device.userAgent,
      ...describeUserAgent(device.userAgent),
      createdAt: iso(device.createdAt),
      lastUsedAt: iso(device.lastUsedAt),
      expiresAt: iso(device.expiresAt),
    })),
    authenticatorApp: row.totpFactor
      ? { status: row.totpFactor.confirmedAt ? 'confirmed' : 'pending', createdAt: iso(row.totpFactor.createdAt), confirmedAt: iso(row.totpFactor.confirmedAt) }
      : null,
    passkeys: row.webauthnCredentials.map((passkey) => ({
      name: passkey.nickname,
      createdAt: iso(passkey.createdAt),
      lastUsedAt: iso(passkey.lastUsedAt),
      transports: passkey.transports,
      aaguid: passkey.aaguid,
      deviceType: passkey.backupEligible && passkey.backedUp ? 'synced' : 'device-bound',
    })),
    recoveryCodesRemaining: row._count.recoveryCodes,
    consents: row.consents.map((consent) => ({
      clientId: consent.clientId,
      app: consent.client.name,
      scopes: consent.scopes,
      grantedAt: iso(consent.createdAt),
      updatedAt: iso(consent.updatedAt),
    })),
    connectedApps: row.grants.map(grantRecord),
    pendingEmailLinks: row.emailTokens.map((link) => ({ purpose: link.purpose, createdAt: iso(link.createdAt), expiresAt: iso(link.expiresAt) })),
    auditEvents: await auditEventsOf(userId),
  };
}

function grantRecord(grant: UserExportRow['grants'][number]) {
  return {
    clientId: grant.clientId,
    app: grant.client.name,
    scopes: grant.scopes,
    createdAt: iso(grant.createdAt),
    expiresAt: iso(grant.expiresAt),
    revokedAt: iso(grant.revokedAt),
    revokedReason: grant.revokedReason,
  };
}

/** Every event the user made or that is about their account, oldest first. */
async function auditEventsOf(userId: string): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  let before: bigint | null = null;
  for (;;) {
    const page = await readUserRelatedAuditEvents(userId, before, AUDIT_PAGE);
    for (const event of page) {
      const byUser = event.actorUserId === userId;
      events.push({
        seq: event.seq.toString(),
        createdAt: iso(event.createdAt),
        type: event.type,
        outcome: event.outcome,
        by: byUser ? 'you' : event.actorApiKeyId ? 'api_key' : event.actorUserId ? 'administrator' : 'system',
        // Another person's address and browser are theirs, not the user's.
        ip: byUser || !event.actorUserId ? event.ip : null,
        userAgent: byUser || !event.actorUserId ? event.userAgent : null,
        details: event.details,
      });
    }
    if (page.length < AUDIT_PAGE) break;
    before = page.at(-1)!.seq;
  }
  return events.reverse();
}

/** The user's own export, audited as `user.exported` (self). */
export async function exportOwnData(holder: { userId: string; sessionId: string }, context: AuditContext, now = new Date()): Promise<UserDataExport | null> {
  const data = await buildUserExport(holder.userId, holder.sessionId, now);
  if (!data) return null;
  await recordAuditEvent({ type: 'user.exported', outcome: 'success', actorUserId: holder.userId, subject: holder.userId, details: { via: 'self' }, context });
  return data;
}

/** A user's export for an administrator, who says why: audited as `user.exported` with the actor and reason. */
export async function adminExportUserData(actor: AdminActor, userId: string, reason: string, now = new Date()): Promise<UserDataExport | null> {
  const data = await buildUserExport(userId, null, now);
  if (!data) return null;
  await recordAuditEvent({ type: 'user.exported', outcome: 'success', ...auditActor(actor), subject: userId, details: { via: 'admin', reason } });
  return data;
}
