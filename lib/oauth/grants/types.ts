import type { AuditContext } from '../../audit/events';
import type { OAuthClientRecord } from '../clients/types';
import type { OAuthParams } from '../params';

/** What a grant handler gets: the authenticated client and the request's parameters. */
export interface GrantContext {
  client: OAuthClientRecord;
  params: OAuthParams;
  /** Who is calling, for audit events. */
  audit: AuditContext;
  now: Date;
}

/** The successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

/**
 * One grant type (RFC 6749 §4, §6): its `grant_type` value, the parameters it needs (missing ones
 * are refused with invalid_request before the handler runs), and its handler. Handlers throw
 * OAuthErrors named after the RFC error codes.
 */
export interface GrantType {
  readonly name: string;
  readonly requiredParameters: readonly string[];
  handle(context: GrantContext): Promise<TokenResponse>;
}
