import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations, MigrationError, type Migration } from '../../lib/db/migrate';
import { openTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

describe('migrations', () => {
  it('records every committed migration with its checksum', async () => {
    const rows = await database.sql<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM "_optare_migrations" ORDER BY name',
    );
    expect(rows).toEqual(readMigrations().map(({ name, checksum }) => ({ name, checksum })));
  });

  it('re-running is a no-op', async () => {
    const result = await migrate(database.url);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toBe(readMigrations().length);
  });

  it('refuses an applied migration whose file was edited, naming it', async () => {
    const edited: Migration[] = readMigrations().map((m, i) =>
      i === 0 ? { ...m, sql: `${m.sql}\n-- edited`, checksum: 'f'.repeat(64) } : m,
    );
    const first = edited[0]!.name;
    await expect(migrate(database.url, edited)).rejects.toThrow(MigrationError);
    await expect(migrate(database.url, edited)).rejects.toThrow(new RegExp(`${first} was edited after it was applied`));
  });

  it('refuses a database migrated by a newer version', async () => {
    await expect(migrate(database.url, [])).rejects.toThrow(/does not have/);
  });

  it('applies a new migration in a transaction and rolls a failing one back entirely', async () => {
    const base = readMigrations();
    const good: Migration = { name: '99990101000000_probe', sql: 'CREATE TABLE probe (id int);', checksum: 'a'.repeat(64) };
    expect((await migrate(database.url, [...base, good])).applied).toEqual([good.name]);
    const bad: Migration = {
      name: '99990102000000_broken',
      sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();',
      checksum: 'b'.repeat(64),
    };
    await expect(migrate(database.url, [...base, good, bad])).rejects.toThrow(/99990102000000_broken failed/);
    const tables = await database.sql("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    expect(tables).toHaveLength(0);
    const recorded = await database.sql('SELECT 1 FROM "_optare_migrations" WHERE name = $1', [bad.name]);
    expect(recorded).toHaveLength(0);
  });
});
