import { RequestNotSupported, RequestUriNotSupported } from '../../errors';
import type { AuthorizeCheck } from './types';

/** `request`: Optare does not process request objects (OIDC Core §6; discovery says so). */
export const checkNoRequestObject: AuthorizeCheck = ({ params }) => {
  if (params.has('request')) throw new RequestNotSupported('Request objects are not supported.');
};

/** `request_uri`: not supported either (OIDC Core §6.2). */
export const checkNoRequestUri: AuthorizeCheck = ({ params }) => {
  if (params.has('request_uri')) throw new RequestUriNotSupported('The request_uri parameter is not supported.');
};
