import { codePointLength, hasUnsafeCharacters } from '../../validation/text';

/** The longest nickname, in characters as a person counts them (the column is varchar(64)). */
export const PASSKEY_NICKNAME_MAX = 64;

export type NicknameResult = { ok: true; nickname: string } | { ok: false; reason: 'invalid_nickname' };

/**
 * The name a user gives a passkey: trimmed, NFC-normalised, 1 to 64 characters, and refused
 * (never silently changed) when it holds control, invisible-formatting or bidi characters or is
 * not a string. An empty or missing name becomes `fallback` when one is given (registration),
 * and is refused otherwise (renaming).
 */
export function parsePasskeyNickname(input: unknown, fallback?: string): NicknameResult {
  if (input !== undefined && input !== null && typeof input !== 'string') return { ok: false, reason: 'invalid_nickname' };
  // Bounded before any work, so a megabyte of spaces costs nothing.
  if (typeof input === 'string' && input.length > PASSKEY_NICKNAME_MAX * 8) return { ok: false, reason: 'invalid_nickname' };
  const trimmed = (input ?? '').trim();
  if (hasUnsafeCharacters(trimmed)) return { ok: false, reason: 'invalid_nickname' };
  const nickname = trimmed.normalize('NFC');
  if (nickname === '') return fallback === undefined ? { ok: false, reason: 'invalid_nickname' } : { ok: true, nickname: fallback };
  if (codePointLength(nickname) > PASSKEY_NICKNAME_MAX) return { ok: false, reason: 'invalid_nickname' };
  return { ok: true, nickname };
}

/** "Passkey 2026-11-30": the name of a passkey registered without one (UTC date). */
export function defaultPasskeyNickname(now: Date): string {
  return `Passkey ${now.toISOString().slice(0, 10)}`;
}
