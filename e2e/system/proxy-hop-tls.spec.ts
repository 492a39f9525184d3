import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { createTestAuthority } from '../../tests/support/test-certificates';
import { freePort, jsonLines, killAll, newAccount, removeTempDirs, tempDir, type OptareServer } from './server';
import { withEmbeddedSql } from './embedded-sql';
import { handshake, startTlsServer } from './tls';

/**
 * ASVS 12.3.3, the hop from a reverse proxy to Optare: a re-encrypting proxy deployment. Optare
 * serves TLS itself with a certificate from a private CA (naming the instance, not the public
 * host) and trusts one proxy's X-Forwarded-For; the proxy below forwards over HTTPS, verifying
 * that certificate against the private CA only (nginx: proxy_pass https://…, proxy_ssl_verify on),
 * and appends the address it received the request from. Loopback addresses tell the parties
 * apart: the client connects from 127.0.0.3, the proxy reaches Optare from 127.0.0.2.
 */
test.describe.configure({ mode: 'serial' });

const PUBLIC_ISSUER = 'https://id.example.test';
const CLIENT_ADDRESS = '127.0.0.3';
const PROXY_ADDRESS = '127.0.0.2';

let server: OptareServer;
let ca: Buffer;
let leafFingerprint: string;
let proxy: ReencryptingProxy;
let publicRootsProxy: ReencryptingProxy;

test.beforeAll(async () => {
  test.setTimeout(150_000);
  const authority = createTestAuthority(tempDir('optare-internal-ca-'));
  const instance = authority.server('optare-instance'); // CN and SAN localhost / 127.0.0.1: the instance's internal name
  ca = fs.readFileSync(authority.caFile);
  leafFingerprint = new X509Certificate(fs.readFileSync(instance.certFile)).fingerprint256;
  const port = await freePort();
  server = await startTlsServer({
    port,
    certificate: { ...instance, fingerprint: leafFingerprint, pem: fs.readFileSync(instance.certFile) },
    ca,
    env: { OPTARE_ISSUER: PUBLIC_ISSUER, OPTARE_TRUST_PROXY: '1' },
  });
  proxy = await startReencryptingProxy(port, ca);
  publicRootsProxy = await startReencryptingProxy(port, undefined); // trusts Node's public roots only
});

test.afterAll(async () => {
  await Promise.all([proxy?.close(), publicRootsProxy?.close()]);
  await killAll();
  removeTempDirs();
});

test('a sign-up through a re-encrypting proxy crosses the hop over TLS 1.3 and records the address the proxy saw, not a client-written one', async () => {
  const discovery = await throughProxy(proxy, 'GET', '/.well-known/openid-configuration');
  expect(discovery.status).toBe(200);
  expect((JSON.parse(discovery.body) as { issuer: string }).issuer).toBe(PUBLIC_ISSUER);
  expect(discovery.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');

  const account = newAccount('proxyhop');
  const signUp = await throughProxy(proxy, 'POST', '/api/auth/sign-up', JSON.stringify(account), { 'x-forwarded-for': '6.6.6.6' });
  expect(signUp.status, signUp.body).toBe(201);
  // Every hop to Optare was TLS 1.3 with the instance's certificate, verified against the private CA.
  expect(proxy.hops.length).toBeGreaterThanOrEqual(2);
  for (const hop of proxy.hops) expect(hop).toEqual({ protocol: 'TLSv1.3', authorized: true, fingerprint: leafFingerprint });

  const events = await withEmbeddedSql(server.dataDir, async (sql) => {
    const { rows } = await sql.query<{ type: string; ip: string }>('SELECT type, ip FROM audit_events WHERE request_id = $1', [signUp.requestId]);
    return rows;
  });
  expect(events.map((event) => event.type)).toContain('user.created');
  // The client's own entry (6.6.6.6) and the proxy's socket address (127.0.0.2) are both ignored.
  for (const event of events) expect(event.ip).toBe(CLIENT_ADDRESS);

  // The control: a proxy that trusts only public roots refuses the internal certificate and sends nothing.
  const refused = await throughProxy(publicRootsProxy, 'GET', '/readyz');
  expect(refused.status).toBe(502);
  expect(refused.body).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  expect(publicRootsProxy.hops).toEqual([]);
});

test('the instance port speaks only TLS 1.3: a plain-HTTP request and a TLS 1.2 client are both refused', async () => {
  await expect(plainHttpGet(server.port, '/readyz')).rejects.toThrow();
  const tls12 = await handshake(server.port, { ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  expect('error' in tls12, JSON.stringify(tls12)).toBe(true);
  if ('error' in tls12) expect(tls12.error.code).toMatch(/^ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION$|^ERR_SSL_UNSUPPORTED_PROTOCOL$/);
  // The same client allowed TLS 1.3 connects: the refusal was the version.
  expect(await handshake(server.port, { ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' })).toEqual({ protocol: 'TLSv1.3' });
});

test('an internal certificate starts with the two expected warnings: no public root, and the public host not covered', async () => {
  const warnings = jsonLines(server.stdout())
    .map((line) => String(line.msg))
    .filter((msg) => msg.startsWith('the certificate in OPTARE_TLS_CERT'));
  expect(warnings).toHaveLength(2);
  expect(warnings).toContain("the certificate in OPTARE_TLS_CERT does not cover the issuer's host id.example.test");
  expect(warnings.some((msg) => msg.startsWith('the certificate in OPTARE_TLS_CERT does not chain to a publicly trusted root certificate'))).toBe(true);
});

interface Hop {
  protocol: string | null;
  authorized: boolean;
  fingerprint: string;
}

interface ReencryptingProxy {
  port: number;
  /** One entry per request forwarded to Optare: how the connection to it was secured. */
  hops: Hop[];
  close(): Promise<void>;
}

/**
 * A plain-HTTP front (standing in for the public TLS listener) that forwards each request to
 * Optare at https://localhost:`upstreamPort` from 127.0.0.2, trusting only `ca` (Node's public
 * roots when undefined), and appends the client's address to X-Forwarded-For. A certificate it
 * cannot verify ends the request with 502 and the TLS error code.
 */
async function startReencryptingProxy(upstreamPort: number, trusted: Buffer | undefined): Promise<ReencryptingProxy> {
  const hops: Hop[] = [];
  const front = http.createServer((req, res) => {
    const headers: http.OutgoingHttpHeaders = {
      ...req.headers,
      host: new URL(PUBLIC_ISSUER).host,
      'x-forwarded-for': [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', '),
    };
    delete headers.connection;
    const upstream = https.request(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        servername: 'localhost', // the instance's name in its certificate (nginx: proxy_ssl_name, proxy_ssl_server_name on)
        localAddress: PROXY_ADDRESS,
        method: req.method,
        path: req.url,
        headers,
        ca: trusted,
        minVersion: 'TLSv1.3',
        agent: false,
      },
      (response) => {
        const socket = response.socket as tls.TLSSocket;
        hops.push({ protocol: socket.getProtocol(), authorized: socket.authorized, fingerprint: socket.getPeerCertificate().fingerprint256 });
        res.writeHead(response.statusCode!, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(error.code ?? 'upstream error');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return {
    port: (front.address() as AddressInfo).port,
    hops,
    close: () => new Promise((resolve) => front.close(() => resolve())),
  };
}

/** A client request to the proxy, from 127.0.0.3. */
function throughProxy(front: ReencryptingProxy, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; requestId: string }>((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: front.port,
        localAddress: CLIENT_ADDRESS,
        method,
        path,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }), ...headers },
        agent: false,
        timeout: 30_000,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text, requestId: String(response.headers['x-request-id']) }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end(body);
  });
}

function plainHttpGet(port: number, path: string) {
  return new Promise<number>((resolve, reject) => {
    const request = http.get({ host: 'localhost', port, path, agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}
