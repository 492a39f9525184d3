import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';

/**
 * The client list's search: a plain GET form (the search lives in the URL, so it can be
 * bookmarked and works without JavaScript). Server component.
 */
export function ClientSearchForm({ q, max }: { q: string; max: number }) {
  return (
    <form method="get" action="/admin/clients" role="search" aria-label="Search clients" className="flex flex-wrap items-end gap-3">
      <div className="min-w-64 flex-1">
        <Field id="client-search-q" name="q" label="Name or client ID" type="search" autoComplete="off" maxLength={max} defaultValue={q} />
      </div>
      <Button type="submit">Search</Button>
      {q ? (
        <Link href="/admin/clients" className="py-2.5 text-sm font-semibold text-brand-700 underline underline-offset-2">
          Clear search
        </Link>
      ) : null}
    </form>
  );
}
