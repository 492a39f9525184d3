import type { Metadata } from 'next';
import { CardPage } from '@/components/ui/card';
import { TextLink } from '@/components/ui/text-link';
import { errorPageMessage } from '@/lib/oauth/authorize/error-page';

export const metadata: Metadata = { title: 'Request refused' };

/**
 * Optare's answer to a request it cannot send back to an application (an unknown client, an
 * unregistered redirect URI, an expired sign-in request). Shows a fixed text chosen by the
 * `error` code, reflects nothing else, and never redirects.
 */
export default async function OAuthErrorPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { error } = await searchParams;
  const { title, text } = errorPageMessage(error);
  return (
    <CardPage title={title} description={text}>
      <TextLink href="/">Go to the Optare home page</TextLink>
    </CardPage>
  );
}
