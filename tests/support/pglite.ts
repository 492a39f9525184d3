import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { socketUrl } from '../../lib/db/embedded';

/** Serves a PGlite instance on a private Unix socket, as Optare's embedded database does. */
export async function openServedPGlite(db: PGlite) {
  await db.waitReady;
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-testdb-'));
  const server = new PGLiteSocketServer({ db, path: path.join(socketDir, '.s.PGSQL.5432'), maxConnections: 16 });
  await server.start();
  return {
    db,
    url: socketUrl(socketDir),
    close: async () => {
      await server.stop();
      await db.close();
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
