'use client';

import { useState } from 'react';
import { ActionStatus } from './action-error';
import { AddPasskeyForm } from './add-passkey-form';
import { RecoveryCodesDisplay } from './recovery-codes-display';
import { TotpSetup } from './totp-setup';

/**
 * Enrollment after sign-in (/sign-in/enroll): an authenticator app or a passkey, the same
 * components as the security page; then the recovery codes, once, and the way on.
 */
export function EnrollmentChoices({ continueTo }: { continueTo: string }) {
  const [enrolled, setEnrolled] = useState<{ codes: string[] | null; what: string } | null>(null);

  if (enrolled) {
    return (
      <div className="space-y-5">
        <ActionStatus id="enroll-status" message={`Two-step verification is on, with ${enrolled.what}.`} />
        {enrolled.codes ? <RecoveryCodesDisplay codes={enrolled.codes} /> : null}
        {/* A full page load: what follows (an app's authorization request) is served by the server. */}
        <a
          href={continueTo}
          className="inline-flex w-full items-center justify-center rounded-lg bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white shadow-xs hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
        >
          Continue
        </a>
      </div>
    );
  }

  return (
    <div className="space-y-8">
      <ActionStatus id="enroll-status" message={null} />
      <section aria-labelledby="enroll-passkey-title" className="space-y-3">
        <h2 id="enroll-passkey-title" className="text-base font-semibold text-slate-900">
          Use a passkey
        </h2>
        <p className="text-sm text-slate-600">Your fingerprint, face or screen lock; it can also sign you in without a password.</p>
        <AddPasskeyForm onAdded={(codes, nickname) => setEnrolled({ codes, what: `the passkey “${nickname}”` })} />
      </section>
      <section aria-labelledby="enroll-totp-title" className="space-y-3 border-t border-slate-200 pt-6">
        <h2 id="enroll-totp-title" className="text-base font-semibold text-slate-900">
          Use an authenticator app
        </h2>
        <p className="text-sm text-slate-600">A 6-digit code from an app on your phone.</p>
        <TotpSetup onEnrolled={(codes) => setEnrolled({ codes, what: 'your authenticator app' })} />
      </section>
    </div>
  );
}
