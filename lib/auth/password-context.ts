import 'server-only';
import { getConfig } from '../config';
import { CONTEXT_WORD_MESSAGE, containsContextWord, passwordContextWords } from '../validation/account';

/**
 * The server's half of the context-specific word rule (ASVS 6.1.2): besides "optare", which the
 * shared schema refuses in the browser too, this deployment's issuer host name and TOTP issuer
 * name. The message for a new password containing one, or null.
 */
export function contextWordProblem(password: string): string | null {
  const config = getConfig();
  return containsContextWord(password, passwordContextWords(config.issuer, config.mfa.totpIssuer)) ? CONTEXT_WORD_MESSAGE : null;
}
