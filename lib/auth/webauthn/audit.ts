import 'server-only';
import type { AuditContext } from '../../audit/events';
import { recordAuditEvent } from '../../audit/record';
import type { AuditWriter } from '../../db/audit';
import type { CeremonyPurpose } from '../../db/webauthn';

/**
 * auth.factor_verified events for passkey ceremonies. Details are small and secret-free: the
 * purpose, a stable reason code, the passkey's row id; never a challenge, a ceremony token, a
 * signature or a key.
 */
export interface PasskeyVerificationEvent {
  purpose: CeremonyPurpose;
  /** The user the ceremony was for, or whose passkey was presented; null when unknown. */
  userId: string | null;
  passkeyId?: string | null;
  context: AuditContext;
}

export async function auditPasskeyFailure(
  event: PasskeyVerificationEvent & { reason: string; extra?: Record<string, number | string> },
): Promise<void> {
  await recordAuditEvent({
    type: 'auth.factor_verified',
    outcome: 'failure',
    actorUserId: event.userId,
    subject: event.userId,
    details: {
      method: 'passkey',
      purpose: event.purpose,
      reason: event.reason,
      ...(event.passkeyId ? { passkeyId: event.passkeyId } : {}),
      ...event.extra,
    },
    context: event.context,
  });
}

export async function auditPasskeySuccess(event: PasskeyVerificationEvent & { amr: string[] }, client?: AuditWriter): Promise<void> {
  await recordAuditEvent(
    {
      type: 'auth.factor_verified',
      outcome: 'success',
      actorUserId: event.userId,
      subject: event.userId,
      details: { method: 'passkey', purpose: event.purpose, passkeyId: event.passkeyId ?? null, amr: event.amr },
      context: event.context,
    },
    client,
  );
}
