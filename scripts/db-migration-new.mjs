// Writes a new SQL migration from the changes in prisma/schema.prisma, offline.
//
//   npm run db:migration -- <name>
//
// The Prisma CLI's `migrate dev` needs a native engine it cannot download here, so this uses the
// WebAssembly schema engine to diff the schema as of the last migration (kept in
// prisma/migrations/schema.snapshot.prisma) against the current one. The engine needs a live
// PostgreSQL to start (it does not change it): MIGRATION_DATABASE_URL, else DATABASE_URL, else
// the local server at postgresql://postgres@127.0.0.1:5432/postgres.
import fs from 'node:fs';
import path from 'node:path';
import { SchemaEngine } from '@prisma/schema-engine-wasm';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]{1,60}$/.test(name)) {
  console.error('usage: npm run db:migration -- <name>   (lower-case letters, digits and _ only)');
  process.exit(2);
}
const migrationsDir = path.resolve('prisma/migrations');
const snapshotFile = path.join(migrationsDir, 'schema.snapshot.prisma');
const schema = fs.readFileSync('prisma/schema.prisma', 'utf8');
const previous = fs.existsSync(snapshotFile) ? fs.readFileSync(snapshotFile, 'utf8') : null;
const url =
  process.env.MIGRATION_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

let engine;
try {
  engine = await SchemaEngine.new(
    { datamodels: [['schema.prisma', schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: url })),
  );
} catch (error) {
  console.error(`The schema engine needs a reachable PostgreSQL (${url.replace(/\/\/[^@]*@/, '//…@')}): ${error.message}`);
  process.exit(1);
}
const target = (content) => ({ tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content }] });
const result = await engine.diff({
  from: previous ? target(previous) : { tag: 'empty' },
  to: target(schema),
  script: true,
  exitCode: null,
  filters: { externalTables: [], externalEnums: [] },
});
const sql = (result.stdout ?? '').trim();
if (!sql || sql === '-- This is an empty migration.') {
  console.log('The schema has not changed since the last migration; nothing written.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), `${sql}\n`);
fs.writeFileSync(snapshotFile, schema);
console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql; review it, then commit it with the snapshot.`);
process.exit(0);
