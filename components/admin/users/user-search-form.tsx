import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { USER_SEARCH_TEXT_MAX } from '@/lib/admin/user-schemas';

export interface UserSearchValues {
  q: string;
  status: '' | 'active' | 'disabled';
  admin: '' | 'true' | 'false';
}

/**
 * The user list's search: a plain GET form (the filters live in the URL, so a search can be
 * bookmarked and works without JavaScript). Server component; its errors come from the page,
 * which validated the query with the same schema as the admin API.
 */
export function UserSearchForm({ values, errors }: { values: UserSearchValues; errors: Partial<Record<keyof UserSearchValues, string>> }) {
  return (
    <form method="get" action="/admin/users" role="search" aria-label="Search users" className="grid gap-4 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-end">
      <Field
        id="user-search-q"
        name="q"
        label="Email or name"
        type="search"
        autoComplete="off"
        maxLength={USER_SEARCH_TEXT_MAX}
        defaultValue={values.q}
        error={errors.q}
        placeholder="ada@example.com"
      />
      <Select id="user-search-status" name="status" label="Status" defaultValue={values.status} error={errors.status}>
        <option value="">All</option>
        <option value="active">Active</option>
        <option value="disabled">Disabled</option>
      </Select>
      <Select id="user-search-admin" name="admin" label="Role" defaultValue={values.admin} error={errors.admin}>
        <option value="">All</option>
        <option value="true">Administrators</option>
        <option value="false">Other users</option>
      </Select>
      <div>
        <Button type="submit">Search</Button>
      </div>
    </form>
  );
}

function Select({ id, name, label, defaultValue, error, children }: { id: string; name: string; label: string; defaultValue: string; error?: string | undefined; children: ReactNode }) {
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={id}
        name={name}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={errorId}
        className="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-xs focus:border-brand-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600/40 aria-invalid:border-red-600 sm:text-sm"
      >
        {children}
      </select>
      {error ? (
        <p id={errorId} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
