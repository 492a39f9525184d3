import type { Metadata } from 'next';
import { CardPage } from '@/components/ui/card';
import { TextLink } from '@/components/ui/text-link';

export const metadata: Metadata = { title: 'Page not found' };

/** Our own 404: Next.js's built-in one uses inline styles, which the CSP blocks. */
export default function NotFound() {
  return (
    <CardPage title="Page not found" description="There is nothing at this address. Check the link, or start again from the home page.">
      <TextLink href="/">Go to the home page</TextLink>
    </CardPage>
  );
}
