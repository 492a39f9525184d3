import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../lib/db/embedded';

/**
 * ASVS 13.2.3: the embedded database has a default credential (user postgres, no password), so it
 * must be reachable by nobody but Optare's own process: it is served on a Unix socket in a 0700
 * directory owned by that process, and on no TCP port.
 */

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-exposure-'));
let database: EmbeddedDatabase | undefined;
afterAll(async () => {
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Inodes of the TCP sockets (IPv4 and IPv6) in state LISTEN on this machine. */
function listeningTcpInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A') inodes.add(fields[9]!); // st 0A = LISTEN; field 9 = inode
    }
  }
  return inodes;
}

/** Inodes of every socket this process holds open. */
function ownSocketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

const ownTcpListeners = () => {
  const listening = listeningTcpInodes();
  return [...ownSocketInodes()].filter((inode) => listening.has(inode));
};

describe('embedded database exposure (ASVS 13.2.3)', () => {
  it(
    'serves its password-less superuser only on a Unix socket in a 0700 directory this process owns, and on no TCP port',
    async () => {
      const listenersBefore = ownTcpListeners();
      database = await openEmbeddedDatabase(dataDir, { role: 'server' });

      const url = new URL(database.url);
      const socketDir = url.searchParams.get('host')!;
      expect(path.isAbsolute(socketDir)).toBe(true);
      const dir = fs.statSync(socketDir);
      expect(dir.isDirectory()).toBe(true);
      expect(dir.mode & 0o777).toBe(0o700);
      expect(dir.uid).toBe(process.getuid!());
      const socket = fs.statSync(path.join(socketDir, '.s.PGSQL.5432'));
      expect(socket.isSocket()).toBe(true);
      expect(socket.uid).toBe(process.getuid!());

      // It works through the socket…
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();

      // …and this process listens on no more TCP ports than before.
      expect(ownTcpListeners()).toEqual(listenersBefore);
    },
    // A fresh data directory is initialised first: many seconds on a loaded machine.
    180_000,
  );
});
