import fs from 'node:fs';
import path from 'node:path';
import https from 'node:https';
import tls from 'node:tls';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { spawnOptare, tempDir, type Exit, type OptareServer } from './server';

/**
 * TLS helpers for system tests: self-signed certificates made with the system's openssl, an
 * Optare serving HTTPS, and HTTPS requests that pin the TLS versions and trust only that
 * certificate.
 */

export const OPENSSL = '/usr/bin/openssl';

export interface Certificate {
  certFile: string;
  keyFile: string;
  /** The certificate's SHA-256 fingerprint as Node prints it (AA:BB:…). */
  fingerprint: string;
  pem: Buffer;
}

/** A fresh self-signed RSA certificate for localhost, written as cert.pem and key.pem in `dir`. */
export function makeCertificate(dir = tempDir('optare-tls-'), name = 'localhost'): Certificate {
  if (!fs.existsSync(OPENSSL)) {
    throw new Error(`openssl is required for the TLS system tests and was not found at ${OPENSSL}; install it (apt-get install openssl)`);
  }
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const result = spawnSync(
    OPENSSL,
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl failed (${result.status ?? result.error?.message}): ${result.stderr}`);
  const pem = fs.readFileSync(certFile);
  return { certFile, keyFile, fingerprint: new X509Certificate(pem).fingerprint256, pem };
}

export interface HttpsResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  protocol: string | null;
  fingerprint: string;
}

export interface HttpsOptions {
  ca: Buffer;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
}

/** One request on a new connection (no agent, no session reuse: each makes a full handshake). */
export function httpsRequest(url: string, options: HttpsOptions): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.ca,
        minVersion: options.minVersion ?? 'TLSv1.3',
        maxVersion: options.maxVersion ?? 'TLSv1.3',
        agent: false,
        timeout: 30_000,
      },
      (response) => {
        const socket = response.socket as tls.TLSSocket;
        const protocol = socket.getProtocol();
        const fingerprint = socket.getPeerCertificate().fingerprint256;
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body, protocol, fingerprint }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within 30 s`)));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** A bare TLS handshake: the negotiated protocol, or the error that ended it. */
export function handshake(port: number, options: { ca: Buffer; minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion }) {
  return new Promise<{ protocol: string | null } | { error: NodeJS.ErrnoException }>((resolve) => {
    const socket = tls.connect({ host: 'localhost', port, servername: 'localhost', ...options });
    socket.once('secureConnect', () => {
      resolve({ protocol: socket.getProtocol() });
      socket.end();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ error }));
  });
}

/** An Optare serving HTTPS (issuer https://localhost:PORT), ready when /readyz answers over TLS 1.3. */
export async function startTlsServer(options: {
  port: number;
  certificate: Certificate;
  ca: Buffer;
  env?: Record<string, string | undefined>;
}): Promise<OptareServer> {
  const dataDir = tempDir();
  const url = `https://localhost:${options.port}`;
  const proc = spawnOptare(['scripts/start.mjs'], {
    PORT: String(options.port),
    OPTARE_DATA_DIR: dataDir,
    OPTARE_ISSUER: url,
    OPTARE_TLS_CERT: options.certificate.certFile,
    OPTARE_TLS_KEY: options.certificate.keyFile,
    LOG_LEVEL: 'info',
    ...options.env,
  });
  let exit: Exit | undefined;
  void proc.exited.then((result) => (exit = result));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (exit) throw new Error(`Optare exited (${exit.code ?? exit.signal}) before it was ready:\n${proc.stderr()}\n${proc.stdout()}`);
    try {
      if ((await httpsRequest(`${url}/readyz`, { ca: options.ca })).status === 200) return { ...proc, port: options.port, url, dataDir };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await proc.stop('SIGKILL').catch(() => undefined);
  throw new Error(`Optare was not ready on ${url} within 90 s:\n${proc.stderr()}`);
}
