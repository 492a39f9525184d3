import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { when } from '@/components/account/dates';
import { AdminFrame } from '@/components/admin/admin-frame';
import { ClientEnabledToggle, DeleteClient, RotateSecret } from '@/components/admin/clients/client-actions';
import { ClientStatusBadge, ManagedBadge } from '@/components/admin/clients/clients-table';
import { CopyButton } from '@/components/admin/clients/copy-button';
import { EditClient } from '@/components/admin/clients/edit-client';
import { IntegrationSnippets } from '@/components/admin/clients/integration-snippets';
import { NoScript } from '@/components/ui/no-script';
import { getAdminClient } from '@/lib/admin/clients';
import { getConfig } from '@/lib/config';
import { mustUsePkce } from '@/lib/oauth/clients/pkce-policy';
import { tokenSigningAlgs } from '@/lib/oauth/clients/signing-algs';

export const metadata: Metadata = { title: 'Client' };

/**
 * One client: what it is, snippets to connect an app, every setting, its secret (rotate), and
 * disable or delete. The admin console's own client is shown but cannot be changed.
 */
export default async function ClientPage({ params }: { params: Promise<{ clientId: string }> }) {
  const admin = await requireConsoleAdmin();
  const { clientId } = await params;
  const client = await getAdminClient(clientId);
  if (!client) notFound();
  const { issuer, admin: adminSettings } = getConfig();
  const previousUntil = client.previousSecretExpiresAt ? when(new Date(client.previousSecretExpiresAt)) : null;

  return (
    <AdminFrame
      title={client.name}
      current="/admin/clients"
      adminEmail={admin.email}
      description={
        <span className="flex flex-wrap items-center gap-2">
          <ClientStatusBadge enabled={client.enabled} />
          {client.managed ? <ManagedBadge /> : null}
          <span>
            {client.type === 'public' ? 'Public' : 'Confidential'} client <code className="text-slate-800">{client.id}</code>
          </span>
        </span>
      }
      actions={
        <Link href="/admin/clients" className="py-2.5 text-sm font-semibold text-brand-700 underline underline-offset-2">
          All clients
        </Link>
      }
    >
      <NoScript />
      <Card id="overview" title="Overview">
        <dl className="grid gap-3 text-sm sm:grid-cols-[max-content_minmax(0,1fr)] sm:gap-x-6">
          <Item label="Client ID">
            <span className="flex flex-wrap items-center gap-2">
              <code className="break-all text-slate-900">{client.id}</code>
              <CopyButton text={client.id} what="the client ID" />
            </span>
          </Item>
          <Item label="Authentication">
            <code>{client.tokenEndpointAuthMethod}</code>
          </Item>
          <Item label="Client secret">
            {client.hasSecret ? 'Set (shown only when created or rotated)' : 'None'}
            {previousUntil ? (
              <>
                {' '}
                — the previous secret works until <time dateTime={previousUntil.iso}>{previousUntil.label}</time>
              </>
            ) : null}
          </Item>
          <Item label="Status">{client.enabled ? 'Enabled' : 'Disabled: it cannot sign users in or get tokens'}</Item>
          <Item label="Created">
            <time dateTime={when(new Date(client.createdAt)).iso}>{when(new Date(client.createdAt)).label}</time>
          </Item>
          <Item label="Last changed">
            <time dateTime={when(new Date(client.updatedAt)).iso}>{when(new Date(client.updatedAt)).label}</time>
          </Item>
        </dl>
      </Card>

      <Card id="connect" title="Connect your app" description="Paste these into your app’s configuration.">
        <IntegrationSnippets
          hasSecret={client.hasSecret}
          client={{
            issuer,
            clientId: client.id,
            tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
            redirectUris: client.redirectUris,
            grantTypes: client.grantTypes,
            scopes: client.scopes,
            requirePkce: mustUsePkce(client),
            // What the RP must be told: the client's choice, else the server's default.
            idTokenSignedResponseAlg: tokenSigningAlgs(client).idToken,
          }}
        />
      </Card>

      {client.managed ? (
        <Card id="settings" title="Settings">
          <p className="text-sm text-slate-700">
            This is the admin console’s own client. Optare creates it and keeps it up to date at every start, so it cannot be changed,
            disabled or deleted here.
          </p>
        </Card>
      ) : (
        <>
          <Card id="settings" title="Settings">
            <EditClient clientId={client.id} client={client} />
          </Card>
          {client.hasSecret ? (
            <Card
              id="secret"
              title="Client secret"
              description={
                adminSettings.clientSecretOverlapSeconds > 0
                  ? `A new secret replaces the current one; the old one keeps working for ${durationText(adminSettings.clientSecretOverlapSeconds)} (OPTARE_CLIENT_SECRET_OVERLAP).`
                  : 'A new secret replaces the current one, which stops working at once.'
              }
            >
              <RotateSecret
                clientId={client.id}
                name={client.name}
                overlap={adminSettings.clientSecretOverlapSeconds > 0 ? durationText(adminSettings.clientSecretOverlapSeconds) : null}
              />
            </Card>
          ) : null}
          <Card id="status" title={client.enabled ? 'Disable' : 'Enable'}>
            <ClientEnabledToggle clientId={client.id} name={client.name} enabled={client.enabled} />
          </Card>
          <Card id="delete" title="Delete">
            <DeleteClient clientId={client.id} name={client.name} />
          </Card>
        </>
      )}
    </AdminFrame>
  );
}

function Card({ id, title, description, children }: { id: string; title: string; description?: ReactNode; children: ReactNode }) {
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

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="font-medium text-slate-700">{label}</dt>
      <dd className="text-slate-900">{children}</dd>
    </>
  );
}

/** "24 hours", "7 days": a configured duration in words (days from two days up, as people say them). */
function durationText(seconds: number): string {
  if (seconds >= 2 * 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400} days`;
  if (seconds >= 3_600 && seconds % 3_600 === 0) return `${seconds / 3_600} hour${seconds === 3_600 ? '' : 's'}`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
