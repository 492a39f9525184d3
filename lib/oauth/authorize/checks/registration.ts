import { RegistrationNotSupported } from '../../errors';
import type { AuthorizeCheck } from './types';

/** `registration` (OIDC Core §7.2.1, self-issued OPs): not supported. */
export const checkNoRegistration: AuthorizeCheck = ({ params }) => {
  if (params.has('registration')) throw new RegistrationNotSupported('The registration parameter is not supported.');
};
