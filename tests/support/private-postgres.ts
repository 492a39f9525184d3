import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { createTestAuthority, OPENSSL, type IssuedCertificate as ClientCertificate, type TestAuthority } from './test-certificates';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const SERVER_USER = 'postgres'; // initdb and postgres refuse to run as root

export type { ClientCertificate };

/**
 * A PostgreSQL 15 cluster of one test file's own: TLS on, and over TCP only client-certificate
 * authentication (`hostssl all all 127.0.0.1/32 cert`): no password is accepted from anyone.
 * The superuser reaches it over its Unix socket, for set-up.
 */
export interface PrivateCluster {
  port: number;
  caFile: string;
  /** A client certificate whose CN is `role` (cert auth maps the CN to the role), signed by the cluster's CA. */
  clientCertificate(role: string): ClientCertificate;
  /** `postgresql://role@127.0.0.1:port/database?sslmode=verify-full&sslrootcert=…`, plus sslcert/sslkey unless `certificate` is null. */
  url(role: string, database: string, certificate?: ClientCertificate | null): string;
  /** Runs SQL as the superuser, over the Unix socket. */
  superuser<T extends pg.QueryResultRow = pg.QueryResultRow>(database: string, text: string): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startPrivateCluster(port: number): Promise<PrivateCluster> {
  const missing = ['initdb', 'pg_ctl', 'postgres'].map((name) => path.join(PG_BIN, name)).concat(OPENSSL).filter((file) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(`This test starts its own PostgreSQL 15 cluster and needs ${missing.join(', ')}: install postgresql-15 and openssl`);
  }
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-pg-'));
  const certs = path.join(dir, 'certs');
  const data = path.join(dir, 'data');
  fs.mkdirSync(certs);
  const run = (file: string, args: string[]) => execFileSync(file, args, { cwd: dir, stdio: 'pipe' });
  const runAsServer = (file: string, args: string[]) =>
    asRoot ? run('/usr/sbin/runuser', ['-u', SERVER_USER, '--', file, ...args]) : run(file, args);

  let authority: TestAuthority;
  let started = false;
  const cleanup = () => {
    if (started) {
      try {
        runAsServer(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    authority = createTestAuthority(certs);
    const server = authority.server('server');
    if (asRoot) {
      for (const file of [dir, certs, server.keyFile, server.certFile, authority.caFile]) fs.chownSync(file, uid(SERVER_USER), gid(SERVER_USER));
    }
    runAsServer(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    fs.writeFileSync(path.join(data, 'pg_hba.conf'), 'local all postgres trust\nhostssl all all 127.0.0.1/32 cert\n');
    fs.appendFileSync(
      path.join(data, 'postgresql.conf'),
      [
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'ssl = on',
        `ssl_cert_file = '${server.certFile}'`,
        `ssl_key_file = '${server.keyFile}'`,
        `ssl_ca_file = '${authority.caFile}'`,
        'fsync = off',
        'max_connections = 40',
        'shared_buffers = 16MB',
        '',
      ].join('\n'),
    );
    started = true;
    runAsServer(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  } catch (error) {
    const log = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    cleanup();
    throw new Error(`could not start a private PostgreSQL cluster on port ${port}: ${(error as Error).message}\n${stderr}\n${log}`);
  }

  const issued = new Map<string, ClientCertificate>();
  const caFile = authority.caFile;
  const clientCertificate = (role: string): ClientCertificate => {
    if (!issued.has(role)) issued.set(role, authority.client(role));
    return issued.get(role)!;
  };
  return {
    port,
    caFile,
    clientCertificate,
    url(role, database, certificate = clientCertificate(role)) {
      const params = new URLSearchParams({ sslmode: 'verify-full', sslrootcert: caFile });
      if (certificate) {
        params.set('sslcert', certificate.certFile);
        params.set('sslkey', certificate.keyFile);
      }
      return `postgresql://${role}@127.0.0.1:${port}/${database}?${params}`;
    },
    async superuser(database, text) {
      const client = new pg.Client({ host: dir, port, user: 'postgres', database });
      await client.connect();
      try {
        return (await client.query(text)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      cleanup();
    },
  };
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
