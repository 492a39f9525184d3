import type { APIRequestContext, APIResponse } from '@playwright/test';
import { expect, test } from './pages/fixtures';

/**
 * What the production build serves beyond the pages (ASVS 13.4.2, 13.4.3, 13.4.7, 15.2.3): no source
 * maps, none of Next.js's development endpoints, no test code or samples, and no directory listings. (`/.env`,
 * `/package.json`, `/.git/config` and the like: bad-input.spec.ts.)
 */

/** The scripts and style sheets Next.js built, as the pages link them. */
async function builtAssets(request: APIRequestContext): Promise<string[]> {
  const assets = new Set<string>();
  for (const path of ['/sign-in', '/sign-up', '/']) {
    const html = await (await request.get(path)).text();
    for (const match of html.matchAll(/\/_next\/static\/[^"'?\s\\]+\.(?:js|css)/g)) assets.add(match[0]);
  }
  return [...assets];
}

/** A 404 that is Optare's own "Page not found" page, or a short body naming no file. */
async function expectNotFound(response: APIResponse, what: string): Promise<void> {
  expect(response.status(), what).toBe(404);
  const body = await response.text();
  expect(body, what).not.toMatch(/Index of|Directory listing|originalStackFrame|originalCodeFrame|"mappings"|sourcesContent/i);
  if (!body.includes('<title>Page not found · Optare</title>')) {
    expect(body.length, what).toBeLessThan(200);
    expect(body, what).not.toMatch(/\.(?:js|css|map|tsx?)\b/);
  }
}

const DEVELOPMENT_ENDPOINTS = [
  '/__nextjs_original-stack-frame?file=app/page.tsx&lineNumber=1&column=1',
  '/__nextjs_original-stack-frames',
  '/__nextjs_source-map?filename=app/page.tsx',
  '/__nextjs_launch-editor?file=package.json&lineNumber=1',
  '/__nextjs_devtools_config',
  '/__nextjs_font/geist-latin.woff2',
  '/_next/webpack-hmr',
  '/_next/turbopack-hmr',
];

test.describe('production surface', () => {
  test('built scripts and style sheets carry no source map reference, and no .map file is served', async ({ request }) => {
    const assets = await builtAssets(request);
    expect(assets.filter((asset) => asset.endsWith('.js')).length).toBeGreaterThan(3);
    for (const asset of assets) {
      const response = await request.get(asset);
      expect(response.status(), asset).toBe(200);
      const body = await response.text();
      expect(body, asset).not.toMatch(/[#@] sourceMappingURL=/);
      expect(response.headers()['sourcemap'], asset).toBeUndefined();
      expect(response.headers()['x-sourcemap'], asset).toBeUndefined();
      await expectNotFound(await request.get(`${asset}.map`), `${asset}.map`);
    }
  });

  test('Next.js development endpoints do not exist on the production server', async ({ request }) => {
    for (const path of DEVELOPMENT_ENDPOINTS) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await request.fetch(path, { method, data: method === 'POST' ? '[]' : undefined, maxRedirects: 0 });
        await expectNotFound(response, `${method} ${path}`);
      }
    }
  });

  test('test code, samples and sources in the repository are not served (ASVS 15.2.3)', async ({ request }) => {
    const paths = [
      '/examples/relying-party/server.mjs',
      '/examples',
      '/tests/integration/cli.test.ts',
      '/tests/support/config.ts',
      '/e2e/production-surface.spec.ts',
      '/lib/config/schema.ts',
      '/app/layout.tsx',
      '/scripts/optare.mjs',
      '/next.config.mjs',
      '/public/robots.txt',
    ];
    for (const path of paths) await expectNotFound(await request.get(path), path);
  });

  test('an error page shows no stack trace or source path', async ({ request }) => {
    // A malformed percent-encoding and an over-long path are the cheapest ways into Next.js's error handling.
    for (const path of ['/%E0%A4%A', `/${'a'.repeat(5000)}`, '/account/%00']) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBeGreaterThanOrEqual(400);
      expect(response.status(), path).toBeLessThan(500);
      const body = await response.text();
      expect(body, path).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\/work\/|webpack-internal|\.tsx?:\d+/);
    }
  });

  test('directories of built files are not listed', async ({ request }) => {
    const [asset] = await builtAssets(request);
    const directories = new Set(['/_next', '/_next/', '/_next/static', '/_next/static/', '/_next/static/chunks/', '/_next/static/css/', '/_next/static/media/']);
    // The asset's own directory and its parents, whatever Next.js named them.
    const parts = asset!.split('/').slice(0, -1);
    for (let end = 3; end <= parts.length; end++) directories.add(`${parts.slice(0, end).join('/')}/`);
    for (const directory of directories) {
      // Next.js answers a trailing slash with a 308 to the same path without it; follow it.
      await expectNotFound(await request.get(directory), directory);
    }
  });
});
