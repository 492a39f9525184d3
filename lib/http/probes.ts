import 'server-only';
import { checkReadiness } from '../db/readiness';
import { ProtocolResponse } from './protocol-message';

const NO_STORE = { 'Cache-Control': 'no-store' };

/** Liveness: the process is up and serving. */
export async function livenessEndpoint(): Promise<ProtocolResponse> {
  return ProtocolResponse.json({ status: 'ok' }, 200, NO_STORE);
}

/** Readiness: the database answers and every migration is applied. */
export async function readinessEndpoint(): Promise<ProtocolResponse> {
  const readiness = await checkReadiness();
  return ProtocolResponse.json(readiness, readiness.status === 'ready' ? 200 : 503, NO_STORE);
}
