import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { expect, test } from '@playwright/test';
import { jsonLines, killAll, removeTempDirs, type OptareServer } from './server';
import { ownPort } from './own-ports';
import { handshake, httpsRequest, makeCertificate, startTlsServer, type Certificate } from './tls';
import { slowClient, TRICKLED_HEADERS } from '../../tests/support/slow-client';

/**
 * Optare terminating TLS itself: one HTTPS server (with its plain-HTTP redirect port) that the
 * tests below talk to in order, then replace its certificate, then stop it.
 */
test.describe.configure({ mode: 'serial' });

let server: OptareServer;
let redirectPort: number;
let first: Certificate;
let second: Certificate;
let bothCas: Buffer;
/** ASVS 12.2.2: the warning that the certificate in use does not chain to a public root (these are self-signed). */
const untrustedCertificateWarnings = () =>
  jsonLines(server.stdout()).filter((line) => String(line.msg).includes('does not chain to a publicly trusted root certificate'));

test.beforeAll(async () => {
  test.setTimeout(150_000);
  first = makeCertificate();
  second = makeCertificate(); // another key pair, for the reload
  bothCas = Buffer.concat([first.pem, second.pem]);
  const port = await ownPort();
  redirectPort = await ownPort();
  server = await startTlsServer({ port, certificate: first, ca: first.pem, env: { OPTARE_HTTP_REDIRECT_PORT: String(redirectPort) } });
});

test.afterAll(async () => {
  await killAll();
  removeTempDirs();
});

test('a TLS 1.3 client gets the discovery document over HTTPS, with HSTS and https:// URLs', async () => {
  const response = await httpsRequest(`${server.url}/.well-known/openid-configuration`, { ca: first.pem });
  expect(response.protocol).toBe('TLSv1.3');
  expect(response.fingerprint).toBe(first.fingerprint);
  expect(response.status).toBe(200);
  expect(response.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  const discovery = JSON.parse(response.body) as { issuer: string; token_endpoint: string };
  expect(discovery.issuer).toBe(server.url);
  expect(discovery.token_endpoint).toBe(`${server.url}/oauth/token`);

  // A page rendered by Next.js (not the protocol fast path) carries HSTS over HTTPS too.
  const page = await httpsRequest(`${server.url}/sign-in`, { ca: first.pem });
  expect(page.status).toBe(200);
  expect(page.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  expect(page.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  // Served, with a warning at start that clients relying on public roots would refuse this certificate.
  expect(untrustedCertificateWarnings()).toHaveLength(1);
});

test('a client limited to TLS 1.2 is refused during the handshake', async () => {
  const refused = await handshake(server.port, { ca: first.pem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  expect('error' in refused, JSON.stringify(refused)).toBe(true);
  if ('error' in refused) expect(refused.error.code).toMatch(/^ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION$|^ERR_SSL_UNSUPPORTED_PROTOCOL$/);
  await expect(httpsRequest(`${server.url}/readyz`, { ca: first.pem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).rejects.toThrow();

  // The same client allowed TLS 1.3 connects: the refusal was the version, not the client.
  expect(await handshake(server.port, { ca: first.pem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' })).toEqual({ protocol: 'TLSv1.3' });
});

test('plain HTTP on OPTARE_HTTP_REDIRECT_PORT answers 308 to the same path on the issuer, without HSTS', async () => {
  const response = await plainRequest(redirectPort, 'GET', '/oauth/authorize?client_id=abc&state=x', { host: 'evil.example' });
  expect(response.status).toBe(308);
  expect(response.headers.location).toBe(`${server.url}/oauth/authorize?client_id=abc&state=x`);
  expect(response.headers['strict-transport-security']).toBeUndefined();
  expect(response.body.length).toBeLessThan(200);
  // A program posting to the token endpoint over plain HTTP is told, not silently redirected.
  const post = await plainRequest(redirectPort, 'POST', '/oauth/token', { host: 'evil.example' });
  expect(post.status).toBe(400);
  expect(post.headers.location).toBeUndefined();
  // The HTTPS port speaks only TLS: plain HTTP there gets no page.
  await expect(plainRequest(server.port, 'GET', '/readyz')).rejects.toThrow();
});

test('slow clients are cut off: no TLS handshake in 10 s, headers trickled past 10 s over TLS and on the redirect port', async () => {
  const [silent, overTls, toRedirect] = await Promise.all([
    slowClient(net.connect(server.port, '127.0.0.1'), ''),
    slowClient(tls.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca: first.pem }), ...TRICKLED_HEADERS),
    slowClient(net.connect(redirectPort, '127.0.0.1'), ...TRICKLED_HEADERS),
  ]);
  expect(silent.statusLine).toBeNull();
  expect(overTls.statusLine).toBe('HTTP/1.1 408 Request Timeout');
  expect(toRedirect.statusLine).toBe('HTTP/1.1 408 Request Timeout');
  for (const outcome of [silent, overTls, toRedirect]) {
    expect(outcome.closedAfterMs).toBeGreaterThan(9_500);
    expect(outcome.closedAfterMs).toBeLessThan(13_000);
  }
});

test('a broken new certificate/key pair is reported and the current one stays in use', async () => {
  // Only the key is replaced: it no longer matches the certificate that is still in place.
  fs.copyFileSync(second.keyFile, first.keyFile);
  await expect.poll(() => server.stdout(), { timeout: 20_000 }).toContain('the new TLS certificate or key cannot be used');
  const warning = jsonLines(server.stdout()).find((line) => String(line.msg).includes('cannot be used'));
  expect(warning?.problem).toMatch(/^OPTARE_TLS_KEY: the private key in .* does not match the certificate/);
  expect(server.stdout() + server.stderr()).not.toContain('PRIVATE KEY');

  const response = await httpsRequest(`${server.url}/readyz`, { ca: bothCas });
  expect(response.status).toBe(200);
  expect(response.fingerprint).toBe(first.fingerprint);
});

test('a replaced certificate is served without a restart, still TLS 1.3 only', async () => {
  fs.copyFileSync(second.certFile, first.certFile); // now matches the key copied before
  await expect
    .poll(async () => (await httpsRequest(`${server.url}/readyz`, { ca: bothCas })).fingerprint, { timeout: 20_000 })
    .toBe(second.fingerprint);
  expect(server.child.exitCode).toBeNull(); // the same process
  expect(jsonLines(server.stdout()).filter((line) => line.msg === 'reloaded the TLS certificate and key')).toHaveLength(1);
  expect(untrustedCertificateWarnings()).toHaveLength(2); // checked again on reload
  expect(await handshake(server.port, { ca: second.pem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toHaveProperty('error');
  const discovery = await httpsRequest(`${server.url}/.well-known/openid-configuration`, { ca: second.pem });
  expect(discovery.status).toBe(200);
  expect(discovery.protocol).toBe('TLSv1.3');
});

test('SIGTERM stops the HTTPS server and its redirect listener cleanly', async () => {
  const exit = await server.stop('SIGTERM');
  expect(exit.code, server.stderr()).toBe(0);
  await expect(plainRequest(redirectPort, 'GET', '/')).rejects.toThrow();
});

function plainRequest(port: number, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const request = http.request({ host: 'localhost', port, method, path, headers, agent: false, timeout: 10_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end();
  });
}
