import path from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const shared = {
  resolve: {
    alias: {
      '@': root,
      'server-only': path.join(root, 'node_modules/server-only/empty.js'),
    },
  },
};

// Integration tests run once on an embedded PGlite and, when TEST_DATABASE_URL is set, once more
// on that PostgreSQL server. Each test file gets a fresh database of its own.
const databases = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { ...shared, extends: true as const, test: { name: 'unit', include: ['lib/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      ...databases.map((database, index) => ({
        ...shared,
        extends: true as const,
        test: {
          name: database,
          sequence: { groupOrder: index + 1 },
          // tests/postgres: tests that start a PostgreSQL cluster of their own (client certificates, roles).
          include: ['tests/integration/**/*.test.ts', ...(database === 'postgres' ? ['tests/postgres/**/*.test.ts'] : [])],
          globalSetup: ['tests/support/global-setup.ts'],
          env: { OPTARE_TEST_DB: database },
          maxWorkers: 2,
        },
      })),
    ],
  },
});
