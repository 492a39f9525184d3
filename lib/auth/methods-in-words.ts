/**
 * RFC 8176 `amr` values in words for the account pages ("Password and authenticator code").
 * Pure; `user`, `pin` and `mfa` qualify the others and are folded in.
 */
const WORDS: Record<string, string> = {
  pwd: 'password',
  otp: 'one-time code',
  hwk: 'passkey',
  swk: 'passkey',
};

export function methodsInWords(amr: readonly string[]): string {
  const words = [...new Set(amr.map((method) => WORDS[method]).filter((word): word is string => Boolean(word)))];
  if (words.length === 0) return 'Unknown method';
  const text = words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return amr.includes('mfa') ? `${sentence} (two-step)` : sentence;
}
