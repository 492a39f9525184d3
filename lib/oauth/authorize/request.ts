import { z } from 'zod';

export const PROMPTS = ['none', 'login', 'consent', 'select_account'] as const;
export type Prompt = (typeof PROMPTS)[number];

/** One requested claim of the OIDC `claims` parameter (OIDC Core §5.5.1): null or its options. */
const claimOptions = z.union([
  z.null(),
  z.object({ essential: z.boolean().optional(), value: z.unknown().optional(), values: z.array(z.unknown()).optional() }).loose(),
]);
const claimsMember = z.record(z.string().max(256), claimOptions);

/** The OIDC `claims` request parameter: which claims to return in userinfo and the ID token. */
export const claimsRequestSchema = z
  .object({ userinfo: claimsMember.optional(), id_token: claimsMember.optional() })
  .loose();
export type ClaimsRequest = z.infer<typeof claimsRequestSchema>;

/**
 * An authorization request that passed every check: what a pending request stores (as JSON)
 * and what the decision and the code issuance read. Never holds a secret.
 */
export const authorizationDetailsSchema = z.object({
  clientId: z.string(),
  redirectUri: z.string(),
  state: z.string().optional(),
  scopes: z.array(z.string()),
  nonce: z.string().optional(),
  prompt: z.array(z.enum(PROMPTS)),
  maxAge: z.number().int().nonnegative().optional(),
  codeChallenge: z.string().optional(),
  codeChallengeMethod: z.literal('S256').optional(),
  claims: claimsRequestSchema.optional(),
  /** The `sub` of a verified id_token_hint: the user the client expects to be signed in. */
  hintSubject: z.string().optional(),
  /** Requested acr values (acr_values and the claims parameter's acr), in order of preference. */
  acrValues: z.array(z.string()).optional(),
  /** RFC 8707 resource indicators: the APIs the access tokens may be for (bound to the code). */
  resources: z.array(z.string()).optional(),
});
export type AuthorizationDetails = z.infer<typeof authorizationDetailsSchema>;
