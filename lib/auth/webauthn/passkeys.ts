import 'server-only';
import type { AuditContext } from '../../audit/events';
import { recordAuditEvent } from '../../audit/record';
import { db } from '../../db/client';
import * as repository from '../../db/webauthn';
import { parsePasskeyNickname } from './nickname';

/** A passkey as the account page shows it: nothing that signs in, nothing secret. */
export interface PasskeySummary {
  id: string;
  nickname: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  backedUp: boolean;
  /** synced: a passkey provider may copy it between devices (BE flag); device-bound: it cannot leave the authenticator. */
  deviceType: 'synced' | 'device-bound';
  transports: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toPasskeySummary(row: repository.StoredPasskeySummary): PasskeySummary {
  return {
    id: row.id,
    nickname: row.nickname,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    backedUp: row.backedUp,
    deviceType: row.backupEligible ? 'synced' : 'device-bound',
    transports: row.transports,
  };
}

export async function listPasskeys(userId: string): Promise<PasskeySummary[]> {
  return (await repository.listPasskeys(userId)).map(toPasskeySummary);
}

export function countPasskeys(userId: string): Promise<number> {
  return repository.countPasskeys(userId);
}

export type RenamePasskeyResult = { ok: true; passkey: PasskeySummary } | { ok: false; reason: 'not_found' | 'invalid_nickname' };

/** Renames one of the user's own passkeys; another user's passkey is `not_found`, as is a malformed id. */
export async function renamePasskey(userId: string, id: unknown, nickname: unknown, context: AuditContext): Promise<RenamePasskeyResult> {
  const name = parsePasskeyNickname(nickname);
  if (!name.ok) return name;
  if (typeof id !== 'string' || !UUID.test(id)) return { ok: false, reason: 'not_found' };
  const renamed = await db().$transaction(async (tx) => {
    const row = await repository.renamePasskey(userId, id, name.nickname, tx);
    if (!row) return null;
    await recordAuditEvent(
      {
        type: 'mfa.passkey_renamed',
        outcome: 'success',
        actorUserId: userId,
        subject: userId,
        details: { passkeyId: row.id, nickname: row.nickname },
        context,
      },
      tx,
    );
    return row;
  });
  return renamed ? { ok: true, passkey: toPasskeySummary(renamed) } : { ok: false, reason: 'not_found' };
}

export type DeletePasskeyResult = { ok: true } | { ok: false; reason: 'not_found' };

/**
 * Deletes one of the user's own passkeys. Whether the user may lose this factor (the last one
 * while MFA is required) is the caller's policy, decided before calling.
 */
export async function deletePasskey(userId: string, id: unknown, context: AuditContext): Promise<DeletePasskeyResult> {
  if (typeof id !== 'string' || !UUID.test(id)) return { ok: false, reason: 'not_found' };
  const deleted = await db().$transaction(async (tx) => {
    const row = await repository.deletePasskey(userId, id, tx);
    if (!row) return false;
    await recordAuditEvent(
      {
        type: 'mfa.passkey_removed',
        outcome: 'success',
        actorUserId: userId,
        subject: userId,
        details: { passkeyId: id.toLowerCase(), nickname: row.nickname },
        context,
      },
      tx,
    );
    return true;
  });
  return deleted ? { ok: true } : { ok: false, reason: 'not_found' };
}
