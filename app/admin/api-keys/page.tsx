import type { Metadata } from 'next';
import Link from 'next/link';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { when } from '@/components/account/dates';
import { AdminFrame } from '@/components/admin/admin-frame';
import { ApiKeysTable, type ApiKeyItem } from '@/components/admin/api-keys/api-keys-table';
import { CreateApiKeyForm } from '@/components/admin/api-keys/create-api-key-form';
import { NoScript } from '@/components/ui/no-script';
import { expiryDateChoices } from '@/lib/admin/api-key-schema';
import { listApiKeys, type ApiKeySummary } from '@/lib/admin/api-keys';
import { issuerLink } from '@/lib/admin/console-client';
import { getConfig } from '@/lib/config';

export const metadata: Metadata = { title: 'API keys' };

const PAGE_SIZE = 100;

/** API keys for the admin REST API (/api/admin/v1): create, rotate, revoke. */
export default async function ApiKeysPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const admin = await requireConsoleAdmin();
  const { after } = await searchParams;
  const now = new Date();
  let page = await listApiKeys({ limit: PAGE_SIZE, cursor: typeof after === 'string' ? after : undefined }, now);
  if (!page.ok) page = await listApiKeys({ limit: PAGE_SIZE }, now); // a cursor not ours: the first page
  const keys = page.ok ? page.items : [];
  const nextCursor = page.ok ? page.nextCursor : null;
  const { apiKeyOverlapSeconds, apiKeyRotationAgeSeconds } = getConfig().admin;
  return (
    <AdminFrame
      title="API keys"
      current="/admin/api-keys"
      adminEmail={admin.email}
      description={
        <>
          Keys for automation to call the admin API (<a href={issuerLink('/api/admin/v1/openapi.json')} className="underline underline-offset-2">OpenAPI document</a>).
          Keys older than {durationText(apiKeyRotationAgeSeconds)} are flagged “Rotate soon”.
        </>
      }
    >
      <NoScript />
      <section aria-labelledby="create-title" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <h2 id="create-title" className="text-lg font-semibold tracking-tight text-slate-900">
          Create an API key
        </h2>
        <div className="mt-5">
          <CreateApiKeyForm expiry={expiryDateChoices(now)} />
        </div>
      </section>
      <section aria-labelledby="keys-title" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <h2 id="keys-title" className="text-lg font-semibold tracking-tight text-slate-900">
          Keys
        </h2>
        <div className="mt-5 space-y-4">
          <ApiKeysTable keys={keys.map(item)} overlap={durationText(apiKeyOverlapSeconds)} />
          {nextCursor ? (
            <Link href={`/admin/api-keys?after=${encodeURIComponent(nextCursor)}`} className="text-sm font-semibold text-brand-700 underline underline-offset-2">
              Older keys
            </Link>
          ) : null}
        </div>
      </section>
    </AdminFrame>
  );
}

function item(key: ApiKeySummary): ApiKeyItem {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    created: when(key.createdAt),
    expires: when(key.expiresAt),
    lastUsed: key.lastUsedAt ? when(key.lastUsedAt) : null,
    lastUsedIp: key.lastUsedIp,
    status: key.status,
    rotationDue: key.rotationDue,
    worksUntil: key.worksUntil ? when(key.worksUntil) : null,
  };
}

/** "24 hours", "90 days": a configured duration in words. */
function durationText(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      return `${count} ${unit}${count === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}
