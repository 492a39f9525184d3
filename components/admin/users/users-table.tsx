import Link from 'next/link';
import { AdminBadge, StatusBadge, YesNo } from './badges';

type Moment = { iso: string; label: string };

/** A user as the list shows it; dates already formatted by the server. */
export interface UserRow {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  status: 'active' | 'disabled';
  emailVerified: boolean;
  mfa: boolean;
  created: Moment;
}

/** A page of users, newest first; each email opens the user. Server component: every value is text React escapes. */
export function UsersTable({ users }: { users: readonly UserRow[] }) {
  if (users.length === 0) return <p className="text-sm text-slate-600">No user matches this search.</p>;
  return (
    <div className="overflow-x-auto rounded-xl ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 bg-white text-left text-sm">
        <caption className="sr-only">Users, newest first</caption>
        <thead className="bg-slate-50 text-xs font-semibold text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2">
              Email
            </th>
            <th scope="col" className="px-3 py-2">
              Name
            </th>
            <th scope="col" className="px-3 py-2">
              Status
            </th>
            <th scope="col" className="px-3 py-2">
              Two-step verification
            </th>
            <th scope="col" className="px-3 py-2">
              Email verified
            </th>
            <th scope="col" className="px-3 py-2">
              Created
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {users.map((user) => (
            <tr key={user.id} data-user-id={user.id} className="align-top">
              <th scope="row" className="max-w-72 px-3 py-2 font-medium break-words">
                <Link
                  href={`/admin/users/${user.id}`}
                  className="text-brand-700 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-brand-600"
                >
                  {user.email}
                </Link>
              </th>
              <td className="max-w-56 px-3 py-2 break-words text-slate-800">{user.name}</td>
              <td className="px-3 py-2">
                <span className="flex flex-wrap gap-1.5">
                  <StatusBadge status={user.status} />
                  {user.isAdmin ? <AdminBadge /> : null}
                </span>
              </td>
              <td className="px-3 py-2">
                <YesNo value={user.mfa} yes="On" no="Off" />
              </td>
              <td className="px-3 py-2">
                <YesNo value={user.emailVerified} />
              </td>
              <td className="px-3 py-2 whitespace-nowrap text-slate-700">
                <time dateTime={user.created.iso}>{user.created.label}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
