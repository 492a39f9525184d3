/**
 * Optare's own error page, for requests that cannot be answered at a client's redirect URI
 * (the client or the redirect URI could not be verified) and for hosted steps that went stale.
 * The page shows a fixed text per code: nothing from the request is ever reflected.
 */
export const ERROR_PAGE_MESSAGES = {
  invalid_client: {
    title: 'Unknown application',
    text: 'The application that sent you here is not registered with Optare, or has been disabled.',
  },
  invalid_redirect_uri: {
    title: 'Invalid return address',
    text: 'The application asked Optare to send you back to an address it has not registered. For your safety, Optare did not follow it.',
  },
  invalid_request: {
    title: 'Invalid request',
    text: 'The application sent a request Optare cannot process.',
  },
  request_expired: {
    title: 'This sign-in request has expired',
    text: 'Sign-in requests are valid for a few minutes and can be used once. Go back to the application and start again.',
  },
  invalid_logout_request: {
    title: 'Invalid sign-out request',
    text: 'The application sent a sign-out request Optare cannot verify. You have not been signed out.',
  },
  server_error: {
    title: 'Something went wrong',
    text: 'Optare could not complete the request. Go back to the application and try again in a moment.',
  },
} as const satisfies Record<string, { title: string; text: string }>;

export type ErrorPageCode = keyof typeof ERROR_PAGE_MESSAGES;

export function errorPageMessage(code: unknown): { title: string; text: string } {
  return typeof code === 'string' && Object.hasOwn(ERROR_PAGE_MESSAGES, code)
    ? ERROR_PAGE_MESSAGES[code as ErrorPageCode]
    : ERROR_PAGE_MESSAGES.invalid_request;
}

export function errorPagePath(code: ErrorPageCode): string {
  return `/oauth/error?error=${code}`;
}

/**
 * Thrown when a request must be answered on Optare's error page: never at a redirect URI that
 * has not been verified for a verified client.
 */
export class CannotRedirect extends Error {
  override readonly name = 'CannotRedirect';

  constructor(
    readonly code: ErrorPageCode,
    readonly privateCause?: string,
  ) {
    super(privateCause ?? code);
  }
}
