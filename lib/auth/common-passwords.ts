import 'server-only';
import { dictionary } from '@zxcvbn-ts/language-common';

// The ~49,000 most common passwords from public breach corpora, as bundled by zxcvbn-ts.
// Only those that meet the length rule can ever match, so only those are kept in memory.
let common: Set<string> | undefined;

export function isCommonPassword(password: string, minLength: number): boolean {
  common ??= new Set(
    (dictionary['passwords-common'] as string[]).filter((entry) => entry.length >= minLength).map((entry) => entry.toLowerCase()),
  );
  return common.has(password.toLowerCase());
}
