import 'server-only';
import { db } from './client';

export type Readiness =
  | { status: 'ready'; database: 'ok'; migrations: 'applied' }
  | { status: 'not_ready'; database: 'ok' | 'unreachable'; migrations: 'applied' | 'pending' | 'unknown' };

const GLOBAL_KEY = Symbol.for('optare.expectedMigrations');
type Holder = { [GLOBAL_KEY]?: string[] };

/** The bootstrap records which migrations this version ships, so readiness can compare. */
export function expectMigrations(names: string[]): void {
  (globalThis as Holder)[GLOBAL_KEY] = names;
}

export async function checkReadiness(): Promise<Readiness> {
  let applied: Set<string>;
  try {
    const rows = await db().$queryRaw<Array<{ name: string }>>`SELECT "name" FROM "_optare_migrations"`;
    applied = new Set(rows.map((row) => row.name));
  } catch {
    return { status: 'not_ready', database: 'unreachable', migrations: 'unknown' };
  }
  const expected = (globalThis as Holder)[GLOBAL_KEY];
  if (!expected) return { status: 'not_ready', database: 'ok', migrations: 'unknown' };
  return expected.every((name) => applied.has(name))
    ? { status: 'ready', database: 'ok', migrations: 'applied' }
    : { status: 'not_ready', database: 'ok', migrations: 'pending' };
}
