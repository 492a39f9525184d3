import type { ReactNode } from 'react';

/** One card of the account pages, named by its heading. Server component. */
export function AccountSection({ id, title, description, children }: { id: string; title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-title`} className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
      <h2 id={`${id}-title`} className="text-lg font-semibold tracking-tight text-slate-900">
        {title}
      </h2>
      {description ? <div className="mt-1 text-sm text-slate-600">{description}</div> : null}
      <div className="mt-5 space-y-4">{children}</div>
    </section>
  );
}
