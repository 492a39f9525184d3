import Link from 'next/link';

type Moment = { iso: string; label: string };

/** A client as the list shows it; the date already formatted by the server. */
export interface ClientRow {
  id: string;
  name: string;
  type: 'confidential' | 'public';
  tokenEndpointAuthMethod: string;
  enabled: boolean;
  managed: boolean;
  created: Moment;
}

const BADGE = 'inline-flex rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset';

export function ClientStatusBadge({ enabled }: { enabled: boolean }) {
  return enabled ? (
    <span className={`${BADGE} bg-emerald-50 text-emerald-800 ring-emerald-200`}>Enabled</span>
  ) : (
    <span className={`${BADGE} bg-red-50 text-red-800 ring-red-200`}>Disabled</span>
  );
}

export function ManagedBadge() {
  return <span className={`${BADGE} bg-slate-100 text-slate-700 ring-slate-300`}>Managed by Optare</span>;
}

/** A page of clients, newest first; each name opens the client. Server component: every value is text React escapes. */
export function ClientsTable({ clients }: { clients: readonly ClientRow[] }) {
  return (
    <div className="overflow-x-auto rounded-xl ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 bg-white text-left text-sm">
        <caption className="sr-only">OAuth clients, newest first</caption>
        <thead className="bg-slate-50 text-xs font-semibold text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2">
              Name
            </th>
            <th scope="col" className="px-3 py-2">
              Client ID
            </th>
            <th scope="col" className="px-3 py-2">
              Type
            </th>
            <th scope="col" className="px-3 py-2">
              Authentication
            </th>
            <th scope="col" className="px-3 py-2">
              Status
            </th>
            <th scope="col" className="px-3 py-2">
              Created
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {clients.map((client) => (
            <tr key={client.id} data-client-id={client.id} className="align-top">
              <th scope="row" className="max-w-72 px-3 py-2 font-medium break-words">
                <Link
                  href={`/admin/clients/${encodeURIComponent(client.id)}`}
                  className="text-brand-700 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-brand-600"
                >
                  {client.name}
                </Link>
              </th>
              <td className="px-3 py-2">
                <code className="break-all text-slate-800">{client.id}</code>
              </td>
              <td className="px-3 py-2 text-slate-800">{client.type === 'public' ? 'Public' : 'Confidential'}</td>
              <td className="px-3 py-2">
                <code className="text-slate-800">{client.tokenEndpointAuthMethod}</code>
              </td>
              <td className="px-3 py-2">
                <span className="flex flex-wrap gap-1.5">
                  <ClientStatusBadge enabled={client.enabled} />
                  {client.managed ? <ManagedBadge /> : null}
                </span>
              </td>
              <td className="px-3 py-2 whitespace-nowrap text-slate-700">
                <time dateTime={client.created.iso}>{client.created.label}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
