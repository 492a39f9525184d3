import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type Db = PrismaClient;

interface DatabaseRuntime {
  url: string;
  poolSize: number;
  client?: PrismaClient;
}

const GLOBAL_KEY = Symbol.for('optare.database');
type Holder = { [GLOBAL_KEY]?: DatabaseRuntime };

/**
 * Sets the database this process talks to. The bootstrap (server, CLI or test setup) calls it
 * once it knows the URL: the configured PostgreSQL, or the embedded database's private socket.
 * Kept on globalThis so Next.js's route bundles share the bootstrap's pool.
 */
export function connectDatabase(url: string, poolSize: number): void {
  (globalThis as Holder)[GLOBAL_KEY] = { url, poolSize };
}

export function db(): PrismaClient {
  const runtime = (globalThis as Holder)[GLOBAL_KEY];
  if (!runtime) throw new Error('The database is not connected: start Optare with `npm start`.');
  runtime.client ??= new PrismaClient({
    adapter: new PrismaPg({ connectionString: runtime.url, max: runtime.poolSize }),
  });
  return runtime.client;
}

export async function disconnectDatabase(): Promise<void> {
  const holder = globalThis as Holder;
  const runtime = holder[GLOBAL_KEY];
  delete holder[GLOBAL_KEY];
  await runtime?.client?.$disconnect();
}
