import { getConfig } from '@/lib/config';
import { discoveryDocument, publicDocumentPreflight, publicDocumentResponse } from '@/lib/oauth/metadata';

export const dynamic = 'force-dynamic';

/** RFC 8414 §3 (OAuth 2.0 Authorization Server Metadata): the provider's metadata, built from the configured issuer only. */
export function GET() {
  return publicDocumentResponse(discoveryDocument(getConfig().issuer));
}

export function OPTIONS() {
  return publicDocumentPreflight();
}
