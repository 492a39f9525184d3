import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, disconnectDatabase, pgPool } from '../../lib/db/client';
import { sendEmail } from '../../lib/email/send';
import { closeRedis, redisClient } from '../../lib/rate-limit/redis';
import { useTestConfig } from '../support/config';

/**
 * ASVS 12.3.2: Optare's TLS clients (node-postgres for DATABASE_URL, ioredis for REDIS_URL,
 * nodemailer for SMTP_URL) verify the server's certificate. Each is pointed at a TLS server with
 * a self-signed certificate (valid for 127.0.0.1, so that only trust is missing) and must refuse
 * the connection before sending anything over it. The control: a client that trusts that
 * certificate gets through to the same server.
 */

const SELF_SIGNED = /self[- ]signed certificate/i;

function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-untrusted-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const result = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  const certificate = { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) };
  fs.rmSync(dir, { recursive: true, force: true });
  return certificate;
}

/** A TCP server that speaks TLS with the untrusted certificate, after `preamble` for protocols that negotiate it first. */
class UntrustedTlsServer {
  /** Bytes that reached the server inside TLS: what a client that accepted the certificate would send. */
  receivedOverTls = 0;
  private server: net.Server;
  port = 0;

  constructor(certificate: { key: Buffer; cert: Buffer }, preamble: (socket: net.Socket, upgrade: () => void) => void) {
    this.server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      preamble(socket, () => {
        const secure = new tls.TLSSocket(socket, { isServer: true, ...certificate });
        secure.on('data', (chunk: Buffer) => (this.receivedOverTls += chunk.length));
        secure.on('error', () => undefined);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const immediately = (_socket: net.Socket, upgrade: () => void) => upgrade();

/** PostgreSQL's SSLRequest (length 8, code 80877103) answered with 'S', then TLS. */
const postgresSslRequest = (socket: net.Socket, upgrade: () => void) =>
  socket.once('data', (first) => {
    expect(first.readInt32BE(4)).toBe(80877103);
    socket.write('S');
    upgrade();
  });

/** An SMTP server that offers STARTTLS and switches to TLS when asked. */
const smtpStartTls = (socket: net.Socket, upgrade: () => void) => {
  socket.write('220 mail.test ESMTP\r\n');
  const onData = (data: Buffer) => {
    const line = data.toString('latin1');
    if (/^EHLO/i.test(line)) socket.write('250-mail.test\r\n250 STARTTLS\r\n');
    else if (/^STARTTLS/i.test(line)) {
      socket.off('data', onData);
      socket.write('220 ready\r\n', upgrade);
    } else socket.write('502 no\r\n');
  };
  socket.on('data', onData);
};

/** The control: a client that trusts the certificate gets through the same server's handshake. */
async function trustingHandshake(port: number, cert: Buffer): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: cert }, () => socket.end('hello'));
    socket.on('error', reject);
    socket.on('close', () => resolve(socket.authorized));
  });
}

let certificate: { key: Buffer; cert: Buffer };
const servers: UntrustedTlsServer[] = [];
beforeAll(() => {
  certificate = selfSignedCertificate();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});
afterAll(() => closeRedis());

async function untrustedServer(preamble: (socket: net.Socket, upgrade: () => void) => void): Promise<UntrustedTlsServer> {
  const server = await new UntrustedTlsServer(certificate, preamble).start();
  servers.push(server);
  return server;
}

describe('TLS certificate validation of outbound connections', () => {
  it('the test server completes a handshake with a client that trusts its certificate (control)', async () => {
    const server = await untrustedServer(immediately);
    expect(await trustingHandshake(server.port, certificate.cert)).toBe(true);
    await expect.poll(() => server.receivedOverTls).toBe('hello'.length);
  });

  it('the database pool refuses a PostgreSQL server with an untrusted certificate (sslmode=require)', async () => {
    const server = await untrustedServer(postgresSslRequest);
    connectDatabase(`postgresql://optare:secret@127.0.0.1:${server.port}/optare?sslmode=require`, 1);
    try {
      await expect(pgPool().query('SELECT 1')).rejects.toThrow(SELF_SIGNED);
    } finally {
      await disconnectDatabase();
    }
    expect(server.receivedOverTls).toBe(0);
  });

  it('the Redis client refuses a rediss:// server with an untrusted certificate', async () => {
    const server = await untrustedServer(immediately);
    const client = redisClient(`rediss://127.0.0.1:${server.port}`);
    const errors: Error[] = [];
    client.on('error', (error: Error) => errors.push(error));
    await expect(client.ping()).rejects.toThrow();
    expect(errors.map((error) => error.message)).toContainEqual(expect.stringMatching(SELF_SIGNED));
    expect(server.receivedOverTls).toBe(0);
    await closeRedis();
  });

  it('the mailer refuses an smtps:// server with an untrusted certificate', async () => {
    const server = await untrustedServer(immediately);
    useTestConfig({ SMTP_URL: `smtps://127.0.0.1:${server.port}` });
    await expect(sendEmail({ to: 'someone@example.test', subject: 'Hello', text: 'Hello' }, 'verify_email')).rejects.toThrow(SELF_SIGNED);
    expect(server.receivedOverTls).toBe(0);
  });

  it('the mailer refuses a STARTTLS upgrade to an untrusted certificate (smtp://…?requireTLS=true)', async () => {
    const server = await untrustedServer(smtpStartTls);
    useTestConfig({ SMTP_URL: `smtp://127.0.0.1:${server.port}?requireTLS=true` });
    await expect(sendEmail({ to: 'someone@example.test', subject: 'Hello', text: 'Hello' }, 'verify_email')).rejects.toThrow(SELF_SIGNED);
    expect(server.receivedOverTls).toBe(0);
  });
});
