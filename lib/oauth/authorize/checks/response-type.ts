import { InvalidRequest, UnauthorizedClient, UnsupportedResponseType } from '../../errors';
import type { AuthorizeCheck } from './types';

/** response_type: required; only `code` (RFC 6749 §4.1.1), for clients allowed that grant. */
export const checkResponseType: AuthorizeCheck = ({ params, client }) => {
  const responseType = params.get('response_type');
  if (responseType === undefined) throw new InvalidRequest('The response_type parameter is required.');
  if (responseType !== 'code') throw new UnsupportedResponseType('Only response_type=code is supported.');
  if (!client.grantTypes.includes('authorization_code')) {
    throw new UnauthorizedClient('The client is not allowed to use the authorization code grant.');
  }
};
