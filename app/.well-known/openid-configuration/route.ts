import { getConfig } from '@/lib/config';
import { discoveryDocument, publicDocumentPreflight, publicDocumentResponse } from '@/lib/oauth/metadata';

export const dynamic = 'force-dynamic';

/** OpenID Connect Discovery 1.0 §4: the provider's metadata, built from the configured issuer only. */
export function GET() {
  return publicDocumentResponse(discoveryDocument(getConfig().issuer));
}

export function OPTIONS() {
  return publicDocumentPreflight();
}
