import 'server-only';
import { findEnabledClient } from '../../clients/registration';
import type { OAuthClientRecord } from '../../clients/types';
import { isUsableParamValue } from '../../params';
import { CannotRedirect } from '../error-page';

const CLIENT_ID_MAX = 64;

/** client_id: exactly one, naming a registered, enabled client. Failures never redirect. */
export async function checkClient(raw: URLSearchParams): Promise<OAuthClientRecord> {
  const values = raw.getAll('client_id');
  const [clientId] = values;
  // A NUL names no client, and would make the look-up itself fail.
  if (values.length !== 1 || !clientId || clientId.length > CLIENT_ID_MAX || !isUsableParamValue(clientId)) {
    throw new CannotRedirect('invalid_client', 'client_id is missing, repeated, too long or contains a NUL');
  }
  const client = await findEnabledClient(clientId);
  if (!client) throw new CannotRedirect('invalid_client', 'unknown or disabled client');
  return client;
}
