import 'server-only';
import http from 'node:http';
import https from 'node:https';
import dotenv from 'dotenv';
import { ConfigError, installConfig, loadConfig } from '../config';
import { openDatabase } from '../db/open';
import { applyOrVerifyMigrations, readMigrations } from '../db/migrate';
import { expectMigrations } from '../db/readiness';
import { activeSigningKey, ensureSigningKey } from '../oauth/keys/signing-keys';
import { DecryptionError } from '../crypto/encryption';
import { ensureConsoleClient } from '../admin/console-client';
import { firstRunSetupLink } from '../admin/setup';
import { DataDirLockedError } from '../db/data-dir-lock';
import { createLogger, installLogger } from '../log/logger';
import { startMaintenance } from './maintenance';
import { flushTokenIssuanceCounts, stopTokenIssuanceFlush } from '../metrics/token-issuance';
import { finishEmailDeliveries } from '../email/send';
import { auditSettingsChanges } from './settings-audit';
import { createRequestHandler, refuseUnsupportedMethods } from './request-handler';
import { gateAsyncContexts } from './async-context-gate';
import { restoreNativeDate } from './native-date';
import { installProcessFaultHandlers } from './process-faults';
import { createRedirectServer } from './http-redirect';
import { HTTP_TIMEOUTS, httpTimeoutOptions } from './http-timeouts';
import {
  certificateWarnings,
  describeCertificate,
  loadCertificatePair,
  TlsFilesError,
  watchCertificatePair,
  type CertificatePair,
} from './tls';

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Boots Optare: configuration, TLS files, database, migrations, then Next.js behind a logging
 * HTTP or HTTPS server (and the plain-HTTP redirect listener when configured).
 */
export async function main({ dev }: { dev: boolean }): Promise<void> {
  dotenv.config({ quiet: true }); // an optional .env; the real environment wins
  const operatorNodeEnv = process.env.NODE_ENV;
  const log = createLogger(process.env.LOG_LEVEL ?? 'info');
  installLogger(log);
  installProcessFaultHandlers(log);

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

  // The certificate and key are checked before the database is opened.
  let certificate: CertificatePair | null = null;
  if (config.tls) {
    try {
      certificate = loadCertificatePair(config.tls);
    } catch (error) {
      if (!(error instanceof TlsFilesError)) throw error;
      console.error(`Optare cannot start: ${error.message}`);
      process.exit(1);
    }
    for (const warning of certificateWarnings(certificate, config.issuer)) log.warn(warning);
  }

  let database;
  try {
    database = await openDatabase(config, { role: 'server', shareWithOwner: false });
    const migrations = readMigrations();
    const result = await applyOrVerifyMigrations(database.url, config.database.kind !== 'postgres' || config.database.migrateOnStart, migrations);
    expectMigrations(migrations.map((m) => m.name));
    await ensureSigningKey();
    // Opened now, so that a wrong OPTARE_ENCRYPTION_KEY stops the start instead of failing every token request.
    await activeSigningKey().catch((error: unknown) => {
      throw error instanceof DecryptionError ? new Error(`OPTARE_ENCRYPTION_KEY does not open the signing keys in the database: ${error.message}`) : error;
    });
    await ensureConsoleClient();
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

  // Before Next.js serves anything; not in development, where its compiler and reloads run
  // beside the requests and speed matters less.
  const contexts = dev ? null : gateAsyncContexts();
  // Imported here rather than at the top: native-date.ts must see the built-in Date before Next.js replaces it.
  const { default: next } = await import('next');
  const app = next({ dev, dir: process.cwd(), hostname: config.host, port: config.port, quiet: !dev });
  await withNextChatterOnStderr(() => app.prepare());
  restoreNativeDate();
  const handle = contexts ? contexts.track(app.getRequestHandler()) : app.getRequestHandler();

  let stopping = false;
  const handler = createRequestHandler({
    log,
    issuer: config.issuer,
    adminOrigin: config.adminOrigin,
    trustProxy: config.trustProxy,
    next: handle,
    draining: () => stopping,
  });
  const timeouts = httpTimeoutOptions({ keepAliveMs: config.httpKeepAliveSeconds * 1000 });
  const server: http.Server | https.Server = certificate
    ? https.createServer(
        { ...certificate.options, ...timeouts, ALPNProtocols: ['http/1.1'], handshakeTimeout: HTTP_TIMEOUTS.tlsHandshakeMs },
        handler,
      )
    : http.createServer(timeouts, handler);
  refuseUnsupportedMethods(server, config.issuer);
  const redirectPort = config.tls?.redirectPort ?? null;
  const redirect = redirectPort === null ? null : createRedirectServer(config.issuer, config.adminOrigin);

  const cannotListen = async (port: number, variable: string, error: NodeJS.ErrnoException) => {
    console.error(
      error.code === 'EADDRINUSE'
        ? `Optare cannot start: port ${port} is in use; set ${variable} to a free port`
        : `Optare cannot start: ${error.message}`,
    );
    server.close();
    redirect?.close();
    await database.close();
    process.exit(1);
  };
  await listen(server, config.port, config.host).catch((error: NodeJS.ErrnoException) => cannotListen(config.port, 'PORT', error));
  if (redirect && redirectPort !== null) {
    await listen(redirect, redirectPort, config.host).catch((error: NodeJS.ErrnoException) =>
      cannotListen(redirectPort, 'OPTARE_HTTP_REDIRECT_PORT', error),
    );
  }

  const certificates =
    config.tls && certificate && server instanceof https.Server
      ? watchCertificatePair(config.tls, certificate, {
          onReload: (pair) => {
            server.setSecureContext(pair.options);
            for (const warning of certificateWarnings(pair, config.issuer)) log.warn(warning);
            log.info(describeCertificate(pair.certificate), 'reloaded the TLS certificate and key');
          },
          onError: (error) => log.warn({ problem: error.message }, 'the new TLS certificate or key cannot be used; still serving the previous pair'),
        })
      : null;
  const stopMaintenance = startMaintenance(log);
  log.info(
    {
      issuer: config.issuer,
      port: config.port,
      ...(certificate ? { tls: describeCertificate(certificate.certificate), tlsMinVersion: certificate.options.minVersion } : {}),
      ...(redirectPort !== null ? { httpRedirectPort: redirectPort } : {}),
    },
    `Optare is ready on ${config.issuer}`,
  );

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    stopMaintenance();
    certificates?.stop();
    redirect?.close();
    redirect?.closeAllConnections();
    const forced = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    // A keep-alive connection whose response finishes after close() began goes idle; close it then.
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(forced);
    clearInterval(idle);
    await app.close?.();
    // An email a request started just before the signal (a reset link, a verification link).
    const unsent = await finishEmailDeliveries(SHUTDOWN_GRACE_MS);
    if (unsent > 0) log.warn({ unsent }, 'stopping with emails still being sent; they are lost');
    // The dashboard's token counts still in memory (lib/metrics/token-issuance.ts).
    stopTokenIssuanceFlush();
    await flushTokenIssuanceCounts();
    await database.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await printSetupLink(config.issuer);
}

function listen(server: http.Server, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
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

/**
 * While no administrator exists, prints a one-time link to create the first one. On stderr, for
 * the person at the console: never in the structured log on stdout, as the link holds a secret.
 */
async function printSetupLink(issuer: string): Promise<void> {
  const link = await firstRunSetupLink(issuer).catch(() => null);
  if (!link) return;
  process.stderr.write(
    `\nNo administrator exists yet. Create the first one within an hour at:\n\n  ${link}\n\n` +
      `(The link works once. Restart Optare for a new one, or create one headless: npm run -s optare -- user create --admin --email you@example.com --password-stdin)\n\n`,
  );
}
