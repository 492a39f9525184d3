/**
 * Text rules shared by the browser and the server. Inputs are rejected (never silently
 * changed) when they carry control characters, invisible formatting characters (zero-width
 * joiners, bidirectional overrides) or lone surrogates; what remains is NFC-normalised.
 */
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]/u;

export function hasUnsafeCharacters(value: string): boolean {
  return !value.isWellFormed() || CONTROL_OR_FORMAT.test(value);
}

/** Length in code points, so an emoji counts as one character as a person would count it. */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
