import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { acquireDataDirLock, readLockOwner } from './data-dir-lock';

export interface EmbeddedDatabase {
  /** A postgresql:// URL that reaches the database over a private Unix socket. */
  url: string;
  /** True when another process owns the database and this one connects through its socket. */
  shared: boolean;
  close(): Promise<void>;
}

export interface OpenEmbeddedOptions {
  /** Shown to a second process that finds the directory taken, e.g. "server" or "cli". */
  role: string;
  /** Connect through the owner's socket when another Optare process holds the directory. */
  shareWithOwner?: boolean;
}

const SOCKET_PORT = 5432;

export function socketUrl(socketDir: string): string {
  return `postgresql://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(socketDir)}`;
}

/**
 * Opens the embedded PostgreSQL (PGlite) whose files live in `dataDir` and serves it on a Unix
 * socket in a private (0700) temporary directory, so the server, the CLI and the migrator all
 * reach it through the same PostgreSQL driver. Exactly one process owns the directory.
 */
export async function openEmbeddedDatabase(dataDir: string, options: OpenEmbeddedOptions): Promise<EmbeddedDatabase> {
  if (options.shareWithOwner) {
    const owner = readLockOwner(dataDir);
    if (owner && fs.existsSync(path.join(owner.socketDir, `.s.PGSQL.${SOCKET_PORT}`))) {
      return { url: socketUrl(owner.socketDir), shared: true, close: async () => {} };
    }
  }
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-db-'));
  let release: (() => void) | undefined;
  try {
    release = acquireDataDirLock(dataDir, options.role, socketDir);
    const served = await serve(new PGlite(path.join(dataDir, 'pgdata')), socketDir);
    return {
      url: served.url,
      shared: false,
      close: async () => {
        await served.close();
        release?.();
      },
    };
  } catch (error) {
    release?.();
    fs.rmSync(socketDir, { recursive: true, force: true });
    throw error;
  }
}

/** A throwaway in-memory PGlite served the same way; for tests. */
export async function openMemoryDatabase(): Promise<EmbeddedDatabase> {
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-memdb-'));
  const served = await serve(new PGlite(), socketDir);
  return { url: served.url, shared: false, close: served.close };
}

async function serve(db: PGlite, socketDir: string) {
  await db.waitReady;
  const server = new PGLiteSocketServer({
    db,
    path: path.join(socketDir, `.s.PGSQL.${SOCKET_PORT}`),
    maxConnections: 16,
  });
  await server.start();
  return {
    url: socketUrl(socketDir),
    close: async () => {
      await server.stop();
      await db.close();
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
