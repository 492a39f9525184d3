import { UNEXPECTED_ERROR_MESSAGE, type CallResult } from '@/components/auth/post-json';

export type ActionFailure = Extract<CallResult, { ok: false }>;

/** A failure of the browser's own part (an answer that is not what the server promised, a WebAuthn error). */
export function localFailure(message = UNEXPECTED_ERROR_MESSAGE): ActionFailure {
  return { ok: false, status: null, code: 'client_error', message, fieldErrors: {}, redirectTo: null };
}

/**
 * A failed account action, in an always-present alert region (announced as it appears). When the
 * server names a way to fix it (sign in again to confirm it is you), the link is right there.
 */
export function ActionError({ id, failure }: { id: string; failure: ActionFailure | null }) {
  return (
    <div id={id} role="alert">
      {failure ? (
        <p className="rounded-lg border border-red-200 bg-red-50 px-3 py-2.5 text-sm text-red-800">
          {failure.message}
          {failure.redirectTo ? (
            <>
              {' '}
              {/* A full page load: the sign-in page starts a new session. */}
              <a href={failure.redirectTo} className="font-semibold underline underline-offset-2">
                {failure.code === 'reauthentication_required' ? 'Confirm it’s you' : 'Sign in again'}
              </a>
            </>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}

/** A polite status line for what just succeeded; the region is always present so it is announced. */
export function ActionStatus({ id, message }: { id: string; message: string | null }) {
  return (
    <p id={id} role="status" className={message ? 'text-sm text-emerald-800' : undefined}>
      {message}
    </p>
  );
}
