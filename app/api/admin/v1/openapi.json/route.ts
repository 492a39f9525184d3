import { adminOpenApiDocument } from '@/lib/admin/api/openapi';
import { getConfig } from '@/lib/config';

/** The admin API's OpenAPI 3.1 document, at a stable URL. It describes the API; it holds nothing secret. */
export function GET(): Response {
  return Response.json(adminOpenApiDocument(getConfig().issuer), { headers: { 'cache-control': 'no-cache' } });
}
