import { checkReadiness } from '@/lib/db/readiness';

export const dynamic = 'force-dynamic';

/** Readiness: the database answers and every migration is applied. */
export async function GET() {
  const readiness = await checkReadiness();
  return Response.json(readiness, {
    status: readiness.status === 'ready' ? 200 : 503,
    headers: { 'cache-control': 'no-store' },
  });
}
