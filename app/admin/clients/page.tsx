import type { Metadata } from 'next';
import Link from 'next/link';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { when } from '@/components/account/dates';
import { AdminFrame } from '@/components/admin/admin-frame';
import { ClientSearchForm } from '@/components/admin/clients/client-search-form';
import { ClientsTable } from '@/components/admin/clients/clients-table';
import { Notice } from '@/components/ui/alert';
import { CLIENT_SEARCH_MAX, listAdminClients } from '@/lib/admin/clients';

export const metadata: Metadata = { title: 'Clients' };

const PAGE_SIZE = 25;

type SearchParams = Record<string, string | string[] | undefined>;

/** The registered OAuth clients: search by name or client id, newest first, page by page. */
export default async function ClientsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const admin = await requireConsoleAdmin();
  const query = await searchParams;
  const q = typeof query.q === 'string' ? query.q.trim().slice(0, CLIENT_SEARCH_MAX) : '';
  const after = typeof query.after === 'string' ? query.after : undefined;

  let page = await listAdminClients({ search: q, limit: PAGE_SIZE, cursor: after });
  const staleCursor = !page.ok;
  // A cursor not ours (an edited or old link): the first page.
  if (!page.ok) page = await listAdminClients({ search: q, limit: PAGE_SIZE });
  const clients = page.ok ? page.items : [];
  const nextCursor = page.ok ? page.nextCursor : null;

  const link = (cursor?: string) => {
    const params = new URLSearchParams();
    if (q) params.set('q', q);
    if (cursor) params.set('after', cursor);
    const text = params.toString();
    return text ? `/admin/clients?${text}` : '/admin/clients';
  };

  return (
    <AdminFrame
      title="Clients"
      current="/admin/clients"
      adminEmail={admin.email}
      description="The applications that sign users in with Optare or call its token endpoint."
      actions={
        <Link
          href="/admin/clients/new"
          className="inline-flex items-center rounded-lg bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white shadow-xs hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
        >
          Register a client
        </Link>
      }
    >
      {query.deleted === '1' ? <Notice>The client was deleted.</Notice> : null}
      <section aria-labelledby="search-title" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <h2 id="search-title" className="sr-only">
          Search
        </h2>
        <ClientSearchForm q={q} max={CLIENT_SEARCH_MAX} />
      </section>
      <section aria-labelledby="results-title" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <h2 id="results-title" className="text-lg font-semibold tracking-tight text-slate-900">
          {q ? `Clients matching “${q}”` : 'All clients'}
        </h2>
        <div className="mt-5 space-y-4">
          {staleCursor ? <p className="text-sm text-slate-600">That page link is no longer valid; this is the first page.</p> : null}
          {clients.length === 0 ? (
            <p className="text-sm text-slate-600">{q ? 'No client matches this search.' : 'No client is registered yet.'}</p>
          ) : (
            <ClientsTable
              clients={clients.map((client) => ({
                id: client.id,
                name: client.name,
                type: client.type,
                tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
                enabled: client.enabled,
                managed: client.managed,
                created: when(new Date(client.createdAt)),
              }))}
            />
          )}
          <nav aria-label="Pages" className="flex flex-wrap gap-4 text-sm">
            {after && !staleCursor ? (
              <Link href={link()} className="font-semibold text-brand-700 underline underline-offset-2">
                First page
              </Link>
            ) : null}
            {nextCursor ? (
              <Link href={link(nextCursor)} className="font-semibold text-brand-700 underline underline-offset-2">
                Next page
              </Link>
            ) : null}
          </nav>
        </div>
      </section>
    </AdminFrame>
  );
}
