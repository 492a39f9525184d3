import type { Metadata } from 'next';
import Link from 'next/link';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { when } from '@/components/account/dates';
import { AdminFrame } from '@/components/admin/admin-frame';
import { EndAllSessionsForm } from '@/components/admin/users/end-all-sessions-form';
import { UserSearchForm, type UserSearchValues } from '@/components/admin/users/user-search-form';
import { UsersTable } from '@/components/admin/users/users-table';
import { userSearchSchema } from '@/lib/admin/user-schemas';
import { searchUsers, type AdminUserListItem, type Page } from '@/lib/admin/users';
import { fieldErrorsOf } from '@/lib/validation/account';

export const metadata: Metadata = { title: 'Users' };

type SearchParams = Record<string, string | string[] | undefined>;

/** The users: search by email or name, filter by status and role, newest first, page by page. */
export default async function UsersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const admin = await requireConsoleAdmin();
  const query = await searchParams;
  const values: UserSearchValues = {
    q: typeof query.q === 'string' ? query.q : '',
    status: query.status === 'active' || query.status === 'disabled' ? query.status : '',
    admin: query.admin === 'true' || query.admin === 'false' ? query.admin : '',
  };
  // The form sends "" for "All"; anything else goes through the admin API's own schema.
  const parsed = userSearchSchema.safeParse({
    q: query.q,
    status: query.status === '' ? undefined : query.status,
    admin: query.admin === '' ? undefined : query.admin,
  });
  const errors = parsed.success ? {} : Object.fromEntries(Object.entries(fieldErrorsOf(parsed.error)).map(([field, messages]) => [field, messages[0]]));

  let page: Page<AdminUserListItem> = { items: [], nextCursor: null };
  let staleCursor = false;
  const after = typeof query.after === 'string' ? query.after : undefined;
  if (parsed.success) {
    const found = await searchUsers(admin.actor, { ...parsed.data, cursor: after });
    if (found.ok) page = found.page;
    else {
      // A cursor not ours (an edited or old link): the first page.
      staleCursor = true;
      const first = await searchUsers(admin.actor, parsed.data);
      if (first.ok) page = first.page;
    }
  }

  const filters = new URLSearchParams();
  if (parsed.success) {
    if (parsed.data.q) filters.set('q', parsed.data.q);
    if (parsed.data.status) filters.set('status', parsed.data.status);
    if (parsed.data.admin !== undefined) filters.set('admin', String(parsed.data.admin));
  }
  const link = (cursor?: string) => {
    const params = new URLSearchParams(filters);
    if (cursor) params.set('after', cursor);
    const text = params.toString();
    return text ? `/admin/users?${text}` : '/admin/users';
  };

  return (
    <AdminFrame title="Users" current="/admin/users" adminEmail={admin.email} description="Find an account to see its sessions, second factors, apps and history.">
      <section aria-labelledby="search-title" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <h2 id="search-title" className="sr-only">
          Search
        </h2>
        <UserSearchForm values={values} errors={errors} />
      </section>
      <section aria-labelledby="results-title" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <h2 id="results-title" className="text-lg font-semibold tracking-tight text-slate-900">
          {after && !staleCursor ? 'More users' : 'Users'}
        </h2>
        <div className="mt-5 space-y-4">
          {staleCursor ? <p className="text-sm text-slate-600">That page link is no longer valid; this is the first page.</p> : null}
          {parsed.success ? (
            <UsersTable
              users={page.items.map((user) => ({
                id: user.id,
                email: user.email,
                name: user.name,
                isAdmin: user.isAdmin,
                status: user.status,
                emailVerified: user.emailVerified,
                mfa: user.mfa,
                created: when(user.createdAt),
              }))}
            />
          ) : (
            <p className="text-sm text-slate-600">Correct the search to see users.</p>
          )}
          <nav aria-label="User pages" className="flex gap-4 text-sm">
            {after ? (
              <Link href={link()} className="font-semibold text-brand-700 underline underline-offset-2">
                First page
              </Link>
            ) : null}
            {page.nextCursor ? (
              <Link href={link(page.nextCursor)} className="font-semibold text-brand-700 underline underline-offset-2">
                Next page
              </Link>
            ) : null}
          </nav>
        </div>
      </section>
      <section aria-labelledby="end-all-title" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <h2 id="end-all-title" className="text-lg font-semibold tracking-tight text-slate-900">
          Sign everyone out
        </h2>
        <p className="mt-1 text-sm text-slate-600">After a suspected leak of session cookies: every user signs in again.</p>
        <div className="mt-4">
          <EndAllSessionsForm />
        </div>
      </section>
    </AdminFrame>
  );
}
