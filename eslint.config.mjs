import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores(['.next/**', '.next-*/**', 'node_modules/**', 'lib/db/generated/**', '.data/**', 'test-results/**', 'playwright-report/**', '.test-results/**', 'next-env.d.ts']),
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // CommonJS files are preloads (`node --require`) that must run before the ES module loader.
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The domain does not depend on the routes, and only lib/db talks to Prisma.
    files: ['lib/**/*.{ts,tsx}'],
    ignores: ['lib/db/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@/app/*', '**/app/*'], message: 'lib/ must not import from app/.' },
            { group: ['**/db/generated/*', '@prisma/*'], message: 'Only lib/db talks to Prisma.' },
          ],
          paths: [{ name: 'jose', message: 'Only lib/crypto and lib/oauth/tokens import jose (STYLE.md).' }],
        },
      ],
    },
  },
  {
    files: ['lib/crypto/**/*.ts', 'lib/oauth/tokens/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@/app/*', '**/app/*'], message: 'lib/ must not import from app/.' },
            { group: ['**/db/generated/*', '@prisma/*'], message: 'Only lib/db talks to Prisma.' },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/db/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@/app/*', '**/app/*'], message: 'lib/ must not import from app/.' }] }],
    },
  },
]);
