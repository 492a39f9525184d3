import 'server-only';
import http from 'node:http';
import next from 'next';
import dotenv from 'dotenv';
import { ConfigError, installConfig, loadConfig } from '../config';
import { openDatabase } from '../db/open';
import { migrate, readMigrations } from '../db/migrate';
import { expectMigrations } from '../db/readiness';
import { ensureSigningKey } from '../oauth/keys/signing-keys';
import { DataDirLockedError } from '../db/data-dir-lock';
import { createLogger, installLogger } from '../log/logger';
import { pathOnly, stampRequest } from './request-context';
import { startMaintenance } from './maintenance';
import { auditSettingsChanges } from './settings-audit';
import { protocolHandler, serveProtocolRequest } from './protocol-fast-path';

const SHUTDOWN_GRACE_MS = 10_000;

/** Boots Optare: configuration, database, migrations, then Next.js behind a logging HTTP server. */
export async function main({ dev }: { dev: boolean }): Promise<void> {
  dotenv.config({ quiet: true }); // an optional .env; the real environment wins
  const operatorNodeEnv = process.env.NODE_ENV;
  const log = createLogger(process.env.LOG_LEVEL ?? 'info');
  installLogger(log);

  let config;
  try {
    config = loadConfig(process.env, {
      onGeneratedKey: (file) =>
        log.warn(
          { file },
          'OPTARE_ENCRYPTION_KEY is not set: generated a development key in the data directory. ' +
            'Set OPTARE_ENCRYPTION_KEY (and keep it safe) before running in production.',
        ),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  installConfig(config);
  log.level = config.logLevel;
  if (!config.production) {
    log.info(`NODE_ENV is ${operatorNodeEnv ?? 'unset'}: development defaults apply; set NODE_ENV=production to deploy`);
  }

  let database;
  try {
    database = await openDatabase(config, { role: 'server', shareWithOwner: false });
    const migrations = readMigrations();
    const result = await migrate(database.url, migrations);
    expectMigrations(migrations.map((m) => m.name));
    await ensureSigningKey();
    const changed = await auditSettingsChanges(config, { ip: null, userAgent: 'optare-server', requestId: null });
    if (changed.length > 0) log.info({ changed }, 'audited configuration changes');
    if (result.applied.length > 0) log.info({ applied: result.applied }, 'applied database migrations');
  } catch (error) {
    console.error(error instanceof DataDirLockedError ? error.message : `Optare cannot start: ${(error as Error).message}`);
    await database?.close();
    process.exit(1);
  }
  log.info(
    { database: database.kind, dataDir: database.kind === 'embedded' ? config.dataDir : undefined },
    database.kind === 'embedded' ? 'using the embedded database' : 'using PostgreSQL',
  );

  const app = next({ dev, dir: process.cwd(), hostname: config.host, port: config.port, quiet: !dev });
  await withNextChatterOnStderr(() => app.prepare());
  const handle = app.getRequestHandler();

  const server = http.createServer((req, res) => {
    const startedAt = process.hrtime.bigint();
    const { requestId } = stampRequest(req);
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      log.info({
        requestId,
        method: req.method,
        path: pathOnly(req.url),
        status: res.statusCode,
        durationMs: Number((process.hrtime.bigint() - startedAt) / 1000n) / 1000,
      });
    });
    const protocol = protocolHandler(req.method, req.url);
    (protocol ? serveProtocolRequest(protocol, req, res, config.issuer) : handle(req, res)).catch((error: unknown) => {
      log.error({ requestId, err: error }, 'unhandled request error');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
    });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  }).catch((error: NodeJS.ErrnoException) => {
    console.error(
      error.code === 'EADDRINUSE'
        ? `Optare cannot start: port ${config.port} is in use; set PORT to a free port`
        : `Optare cannot start: ${error.message}`,
    );
    return database.close().then(() => process.exit(1));
  });
  const stopMaintenance = startMaintenance(log);
  log.info({ issuer: config.issuer, port: config.port }, `Optare is ready on ${config.issuer}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    stopMaintenance();
    const forced = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(forced);
    await app.close?.();
    await database.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * Next.js prints human-readable lines ("✓ Running next.config.mjs took …") on stdout while it
 * starts; stdout carries only JSON log records (pino writes to the file descriptor directly, so
 * its records are unaffected), so those lines go to stderr.
 */
async function withNextChatterOnStderr<T>(start: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    return await start();
  } finally {
    process.stdout.write = write;
  }
}
