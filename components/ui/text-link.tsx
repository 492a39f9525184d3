import Link from 'next/link';
import type { ComponentProps } from 'react';

/** An in-app link with a visible focus ring. */
export function TextLink(props: Omit<ComponentProps<typeof Link>, 'className'>) {
  return (
    <Link
      className="rounded-sm font-medium text-brand-600 underline-offset-4 hover:text-brand-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
      {...props}
    />
  );
}
