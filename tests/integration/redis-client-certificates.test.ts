import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { closeRedis, redisClient } from '../../lib/rate-limit/redis';
import { createTestAuthority, type TestAuthority } from '../support/test-certificates';

// ASVS 13.2.1: Optare can authenticate to Redis with a client certificate instead of a password
// (REDIS_URL=rediss://… and OPTARE_REDIS_TLS_CA/CERT/KEY), against a private `redis-server`
// that requires one (`tls-auth-clients yes`) and has no password.
const PORT = process.env.OPTARE_TEST_DB === 'postgres' ? 55153 : 55152;
const REDIS_SERVER = '/usr/bin/redis-server';

let dir: string;
let authority: TestAuthority;
let server: ChildProcess;

beforeAll(async () => {
  if (!fs.existsSync(REDIS_SERVER)) throw new Error(`This test starts its own Redis and needs ${REDIS_SERVER} (built with TLS): install redis-server`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-redis-'));
  authority = createTestAuthority(dir);
  const certificate = authority.server('redis');
  authority.client('optare');
  server = spawn(REDIS_SERVER, [
    '--port', '0',
    '--bind', '127.0.0.1',
    '--tls-port', String(PORT),
    '--tls-cert-file', certificate.certFile,
    '--tls-key-file', certificate.keyFile,
    '--tls-ca-cert-file', authority.caFile,
    '--tls-auth-clients', 'yes',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
  ]);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 15_000);
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
});
afterAll(async () => {
  await closeRedis();
  if (server?.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill();
    await exited;
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function productionConfig(tls: Record<string, string>) {
  return loadConfig(
    {
      NODE_ENV: 'production',
      OPTARE_ISSUER: 'https://id.example.test',
      OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: 'smtps://mail.example.test',
      OPTARE_DATA_DIR: dir,
      REDIS_URL: `rediss://127.0.0.1:${PORT}`,
      ...tls,
    },
    { cwd: dir },
  );
}

describe('Redis client-certificate authentication (no password)', () => {
  it('connects with the client certificate from OPTARE_REDIS_TLS_CERT/KEY and counts', async () => {
    const client = authority.client('optare');
    const config = productionConfig({
      OPTARE_REDIS_TLS_CA: authority.caFile,
      OPTARE_REDIS_TLS_CERT: client.certFile,
      OPTARE_REDIS_TLS_KEY: client.keyFile,
    });
    expect(config.rateLimits).toMatchObject({ store: 'redis', redisTls: { caFile: authority.caFile, certFile: client.certFile } });
    const redis = redisClient(config.rateLimits.redisUrl!, config.rateLimits.redisTls);
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.incr('optare:test:counter')).toBe(1);
    } finally {
      await closeRedis();
    }
  });

  it('stolen Redis URL without the client certificate: the connection is refused', async () => {
    const config = productionConfig({ OPTARE_REDIS_TLS_CA: authority.caFile });
    const redis = redisClient(config.rateLimits.redisUrl!, config.rateLimits.redisTls);
    const errors: Error[] = [];
    redis.on('error', (error: Error) => errors.push(error));
    try {
      await expect(redis.ping()).rejects.toThrow();
      // The server resets the handshake (or alerts "certificate required") once it sees no client certificate.
      expect(errors.map((error) => error.message)).toContainEqual(expect.stringMatching(/ECONNRESET|certificate required|socket hang up/));
    } finally {
      await closeRedis();
    }
  });
});
