import { requestedResources } from '../../resources';
import type { AuthorizeCheck } from './types';

/**
 * resource (RFC 8707 §2): zero or more, each registered for the client; kept with the request
 * and bound to its code. A bad one is answered at the redirect URI with invalid_target.
 */
export const checkResources: AuthorizeCheck = ({ params, client }) => {
  const resources = requestedResources(params, client.resources);
  return resources.length > 0 ? { resources } : {};
};
