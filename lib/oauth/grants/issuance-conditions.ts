import type { IssuanceConditions } from '../../db/grants';
import type { OAuthClientRecord } from '../clients/types';
import { wellFormedResources } from '../resources';
import type { GrantContext } from './types';

/** The conditions of a one-statement token path, or null when a `resource` is malformed. */
export function issuanceConditions(client: OAuthClientRecord, params: GrantContext['params'], now: Date): IssuanceConditions | null {
  const requestedResources = wellFormedResources(params);
  if (requestedResources === null) return null;
  return {
    clientId: client.id,
    clientResources: client.resources,
    requestedResources,
    idleExpiresAt: new Date(now.getTime() + client.refreshTokenIdleTtl * 1000),
  };
}
