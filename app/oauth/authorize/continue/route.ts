import { continueAuthorization } from '@/lib/oauth/endpoints/authorize';

/** Resumes a pending authorization request after sign-in, sign-up or consent: ?request=<handle>. */
export function GET(request: Request) {
  return continueAuthorization(request);
}
