import type { Metadata } from 'next';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { when } from '@/components/account/dates';
import { AdminFrame } from '@/components/admin/admin-frame';
import { NoScript } from '@/components/ui/no-script';
import { getConfig } from '@/lib/config';
import { SIGNING_ALG_LABELS, SIGNING_ALGORITHMS } from '@/lib/oauth/keys/algorithms';
import { signingKeySummaries, type SigningKeyStatus } from '@/lib/oauth/keys/signing-keys';
import { MAX_TOKEN_TTL_SECONDS } from '@/lib/oauth/tokens/lifetimes';
import { describeDuration } from '@/lib/settings/schema';
import { RotateSigningKey } from './_components/rotate-signing-key';

export const metadata: Metadata = { title: 'Signing keys' };

const STATUS: Record<SigningKeyStatus, { label: string; className: string; explain: string }> = {
  active: { label: 'Active', className: 'bg-emerald-50 text-emerald-800 ring-emerald-200', explain: 'Signs new tokens.' },
  retiring: { label: 'Retiring', className: 'bg-sky-50 text-sky-800 ring-sky-200', explain: 'Retired, still published: tokens it signed still verify.' },
  retired: { label: 'Retired', className: 'bg-slate-100 text-slate-700 ring-slate-300', explain: 'No longer published.' },
};

/** The token signing keys: which signs, which are still published and until when, and "Rotate now". */
export default async function SigningKeysPage() {
  const admin = await requireConsoleAdmin();
  const now = new Date();
  const keys = await signingKeySummaries(now);
  const rotation = describeDuration(getConfig().signingKeyRotationSeconds);
  const rsaBits = getConfig().signingKeyRsaBits;
  const groups = SIGNING_ALGORITHMS.map((alg) => ({ alg, keys: keys.filter((key) => key.alg === alg) })).filter((group) => group.keys.length > 0);
  const inUse = groups.filter((group) => group.keys.some((key) => key.status === 'active')).map((group) => group.alg);
  const publishedFor = `${describeDuration(MAX_TOKEN_TTL_SECONDS)} and a few minutes`;
  return (
    <AdminFrame
      title="Signing keys"
      current="/admin/keys"
      adminEmail={admin.email}
      description={
        <>
          Tokens are signed with {getConfig().defaultSigningAlg} by default (OPTARE_DEFAULT_SIGNING_ALG); a client may choose PS256, ES256 or EdDSA for its ID tokens and access tokens, and each algorithm in use
          has its own active key (new RSA keys: {rsaBits} bits, OPTARE_SIGNING_KEY_RSA_BITS). A new key takes over every {rotation}
          (OPTARE_SIGNING_KEY_ROTATION); a replaced key stays in the{' '}
          <a href="/oauth/jwks" className="underline underline-offset-2">
            JWKS
          </a>{' '}
          for {publishedFor}, until every token it signed has expired.
        </>
      }
    >
      <NoScript />
      <section aria-labelledby="rotate-title" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <h2 id="rotate-title" className="text-lg font-semibold tracking-tight text-slate-900">
          Rotate the signing key
        </h2>
        <p className="mt-1 mb-4 text-sm text-slate-600">
          Rotate at once if you suspect the private key was exposed, or to test that your applications follow key changes.
        </p>
        <RotateSigningKey publishedFor={publishedFor} algorithms={inUse} />
      </section>
      <section aria-labelledby="keys-title" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <h2 id="keys-title" className="text-lg font-semibold tracking-tight text-slate-900">
          Keys
        </h2>
        <div className="mt-4 overflow-x-auto">
          <table className="w-full text-left text-sm" data-table="signing-keys">
            <caption className="sr-only">Signing keys, newest first</caption>
            <thead>
              <tr className="border-b border-slate-200 text-slate-700">
                <th scope="col" className="py-2 pr-4 font-medium">Status</th>
                <th scope="col" className="py-2 pr-4 font-medium">Key id (kid)</th>
                <th scope="col" className="py-2 pr-4 font-medium">Algorithm</th>
                <th scope="col" className="py-2 pr-4 font-medium">Key</th>
                <th scope="col" className="py-2 pr-4 font-medium">Created</th>
                <th scope="col" className="py-2 pr-4 font-medium">Retired</th>
                <th scope="col" className="py-2 pr-4 font-medium">Published until / rotates</th>
              </tr>
            </thead>
            {groups.map((group) => (
              <tbody key={group.alg} data-alg={group.alg}>
                <tr className="border-b border-slate-200 bg-slate-50">
                  <th scope="rowgroup" colSpan={7} className="py-2 pr-4 text-left font-semibold text-slate-900">
                    {SIGNING_ALG_LABELS[group.alg]}
                  </th>
                </tr>
                {group.keys.map((key) => {
                  const until = key.status === 'active' ? key.rotatesAt : key.publishUntil;
                  return (
                    <tr key={key.kid} className="border-b border-slate-100 align-top" data-kid={key.kid} data-status={key.status}>
                      <td className="py-2 pr-4">
                        <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${STATUS[key.status].className}`}>{STATUS[key.status].label}</span>
                        <span className="mt-1 block text-xs text-slate-600">{STATUS[key.status].explain}</span>
                      </td>
                      <td className="max-w-56 py-2 pr-4 font-mono text-xs break-all text-slate-900">{key.kid}</td>
                      <td className="py-2 pr-4">{key.alg}</td>
                      <td className="py-2 pr-4">{key.keyType}</td>
                      <td className="py-2 pr-4">
                        <Moment date={key.createdAt} />
                      </td>
                      <td className="py-2 pr-4">{key.retiredAt ? <Moment date={key.retiredAt} /> : '—'}</td>
                      <td className="py-2 pr-4">
                        {until ? (
                          <>
                            <span className="sr-only">{key.status === 'active' ? 'Rotates automatically on ' : 'Published until '}</span>
                            <Moment date={until} />
                            {key.status === 'active' ? <span className="block text-xs text-slate-600">automatic rotation</span> : null}
                          </>
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            ))}
          </table>
          {keys.length === 0 ? <p className="mt-3 text-sm text-slate-600">No signing key yet: one is created when the server starts.</p> : null}
        </div>
      </section>
    </AdminFrame>
  );
}

function Moment({ date }: { date: Date }) {
  const moment = when(date);
  return <time dateTime={moment.iso}>{moment.label}</time>;
}
