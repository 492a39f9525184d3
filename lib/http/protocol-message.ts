/**
 * The request and response of a protocol endpoint (token, revocation, introspection, userinfo,
 * discovery, JWKS) as plain data. A Fetch `Request` is a ProtocolRequest, so tests and Next.js
 * route files pass one as is; Optare's own server builds a lighter one straight from Node's
 * request, and writes a ProtocolResponse without a Fetch `Response` in between: undici's
 * Request/Response streams cost more than the rest of a client_credentials request
 * (docs/decisions.md, "Protocol endpoints without Fetch objects").
 */

export interface HeaderReader {
  /** The value of a header, or null; names are case-insensitive. */
  get(name: string): string | null;
}

export interface ProtocolRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderReader;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export class ProtocolResponse {
  /** Header names in lower case. */
  readonly headerFields: Readonly<Record<string, string>>;
  /** Set-Cookie values, one per cookie (a header that cannot be folded into one line). */
  readonly setCookies: string[] = [];

  constructor(
    readonly status: number,
    headers: Readonly<Record<string, string>> = {},
    /** The serialized body; null for none. */
    readonly body: string | null = null,
  ) {
    const fields: Record<string, string> = {};
    for (const name in headers) fields[name.toLowerCase()] = headers[name]!;
    this.headerFields = fields;
  }

  static json(body: unknown, status = 200, headers: Readonly<Record<string, string>> = {}): ProtocolResponse {
    return new ProtocolResponse(status, { 'content-type': 'application/json', ...headers }, JSON.stringify(body));
  }

  /**
   * A Fetch Response's headers and body as a ProtocolResponse, for the JSON API's shared answers
   * (lib/http/responses.ts) on an endpoint Optare's server serves itself.
   */
  static async fromResponse(response: Response): Promise<ProtocolResponse> {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') headers[name] = value;
    });
    const converted = new ProtocolResponse(response.status, headers, response.body === null ? null : await response.text());
    converted.setCookies.push(...response.headers.getSetCookie());
    return converted;
  }

  /** A Fetch view of the headers (for Next.js and tests; the server reads headerFields and setCookies). */
  get headers(): Headers {
    const headers = new Headers(this.headerFields);
    for (const cookie of this.setCookies) headers.append('set-cookie', cookie);
    return headers;
  }

  // Typed like Fetch's Response.json(), so callers read it the same way.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async json(): Promise<any> {
    return JSON.parse(this.body ?? '');
  }

  async text(): Promise<string> {
    return this.body ?? '';
  }

  toResponse(): Response {
    return new Response(this.body, { status: this.status, headers: this.setCookies.length === 0 ? this.headerFields : this.headers });
  }
}
