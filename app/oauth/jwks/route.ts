import { publishedJwks } from '@/lib/oauth/keys/signing-keys';
import { publicDocumentPreflight, publicDocumentResponse } from '@/lib/oauth/metadata';

export const dynamic = 'force-dynamic';

/** The JWK Set of Optare's public signing keys (jwks_uri): the active key and recently retired ones. */
export async function GET() {
  return publicDocumentResponse(await publishedJwks());
}

export function OPTIONS() {
  return publicDocumentPreflight();
}
