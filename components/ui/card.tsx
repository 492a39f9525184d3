import type { ReactNode } from 'react';

/**
 * The hosted login app's page frame: the wordmark and one centred card. Server component.
 */
export function CardPage({ title, description, children, footer }: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12 sm:px-6">
      <div className="w-full max-w-sm">
        <p className="mb-6 text-center text-lg font-semibold tracking-tight text-brand-700">Optare</p>
        <section
          aria-labelledby="page-title"
          className="rounded-2xl bg-white px-6 py-8 shadow-sm ring-1 ring-slate-200 sm:px-8"
        >
          <h1 id="page-title" className="text-xl font-semibold tracking-tight text-slate-900">
            {title}
          </h1>
          {description ? <div className="mt-1.5 text-sm text-slate-600">{description}</div> : null}
          <div className="mt-6">{children}</div>
        </section>
        {footer ? <div className="mt-6 text-center text-sm text-slate-600">{footer}</div> : null}
      </div>
    </main>
  );
}

/** "to continue to <app>": the app a pending authorization request comes from (its registered name, escaped by React). */
export function ContinueTo({ appName }: { appName: string }) {
  return (
    <>
      to continue to <strong className="font-semibold break-words text-slate-900">{appName}</strong>
    </>
  );
}
