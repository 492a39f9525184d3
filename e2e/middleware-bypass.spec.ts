import fs from 'node:fs';
import path from 'node:path';
import type { APIRequestContext, APIResponse } from '@playwright/test';
import { expect, test } from './pages/fixtures';
import { files, ROOT, routes, urlPath } from './support/app-tree';

/**
 * Authorization that does not rest on proxy.ts alone (CVE-2025-29927 and its relatives): every
 * protected page and route, listed from the source tree, asked anonymously with the headers
 * Next.js uses internally (`x-middleware-subrequest`, RSC, prefetch, router state) and with path
 * variants that a matcher could miss. None may answer with the protected content: only a
 * redirect to sign-in, a 308 to the canonical path, or a 4xx.
 */

interface ProtectedPage {
  path: string;
  /** Headings of the page, read from its source: text that only the protected page renders. */
  markers: string[];
}

function pages(dir: string, publicPages: RegExp): ProtectedPage[] {
  return files(path.join(ROOT, dir), 'page.tsx')
    .filter((file) => !publicPages.test(urlPath(file)))
    .map((file) => {
      const source = fs.readFileSync(file, 'utf8');
      const markers = [...source.matchAll(/\btitle="([^"]{6,})"/g)].map((match) => match[1]!);
      return { path: urlPath(file), markers };
    });
}

// /account/deleted is the public goodbye page; /admin/sign-in is the console's sign-in.
const PAGES = [...pages('app/account', /^\/account\/deleted$/), ...pages('app/admin', /^\/admin\/sign-in$/)];
const ROUTES = [...routes('app/api/account'), ...routes('app/api/admin/console')];

const SUBREQUEST_VALUES = [
  'middleware:middleware:middleware:middleware:middleware',
  'src/middleware:src/middleware:src/middleware:src/middleware:src/middleware',
  'proxy:proxy:proxy:proxy:proxy',
  'src/proxy:src/proxy:src/proxy:src/proxy:src/proxy',
  'middleware',
  'pages/_middleware',
];

// The tree a browser on the home page sends when it navigates client-side (Next.js's own schema).
const ROUTER_STATE = encodeURIComponent(JSON.stringify(['', { children: ['__PAGE__', {}] }, null, null]));

const HEADER_VARIANTS: Array<[string, Record<string, string>]> = [
  ...SUBREQUEST_VALUES.map((value): [string, Record<string, string>] => [`x-middleware-subrequest: ${value}`, { 'x-middleware-subrequest': value }]),
  ['RSC: 1', { rsc: '1' }],
  ['RSC + Next-Router-Prefetch', { rsc: '1', 'next-router-prefetch': '1' }],
  ['Next-Router-State-Tree', { rsc: '1', 'next-router-state-tree': ROUTER_STATE }],
  ['Purpose: prefetch', { purpose: 'prefetch', 'sec-purpose': 'prefetch' }],
  ['x-middleware-prefetch', { 'x-middleware-prefetch': '1' }],
  ['subrequest + RSC', { 'x-middleware-subrequest': SUBREQUEST_VALUES[0]!, rsc: '1', 'next-router-prefetch': '1' }],
];

/** The same path as a matcher might fail to recognise it. */
function pathVariants(original: string): Array<[string, string]> {
  const segments = original.split('/').filter(Boolean);
  const rest = segments.slice(1).join('/');
  const upper = original.replace(/^\/(\w)/, (_, first: string) => `/${first.toUpperCase()}`);
  return [
    ['trailing slash', `${original}/`],
    ['upper-case first letter', upper],
    ['all upper case', original.toUpperCase()],
    ['double slash', `/${segments[0]}//${rest}`],
    ['%2F-encoded slash', rest ? `/${segments[0]}%2F${rest}` : `/${segments[0]}%2F`],
    ['dot segment', `/${segments[0]}/./${rest}`],
    ['%2e dot segment', `/${segments[0]}/%2e/${rest}`],
  ];
}

const DATA_FIELDS = /"(email|sessions|passkeys|clients|users|secret|client_secret|keys|token|apiKeys|events)"\s*:/;

/** A refusal: sign-in redirect, a redirect to the canonical path, or a 4xx, never the content. */
async function expectNotServed(response: APIResponse, requested: string, markers: string[], label: string) {
  const status = response.status();
  // The page's <title> ("Security activity · Optare") is metadata, sent even with a redirect.
  const body = (await response.text()).replace(/[^"<>\\]* · Optare/g, '');
  const where = `${label} ${requested} → ${status}`;
  expect(status, where).not.toBeGreaterThanOrEqual(500);
  for (const marker of markers) expect(body, `${where} shows "${marker}"`).not.toContain(marker);
  expect(body, `${where} returns account data`).not.toMatch(DATA_FIELDS);
  if (status >= 300 && status < 400) {
    const location = new URL(response.headers()['location'] ?? '', 'http://placeholder.test');
    const toSignIn = /^\/(admin\/)?sign-in\b/.test(location.pathname);
    const canonical = status === 308 && location.pathname !== requested && normalised(location.pathname) === normalised(requested);
    expect(toSignIn || canonical, `${where} redirects to ${location.pathname}`).toBe(true);
    return;
  }
  expect([200, 400, 401, 403, 404, 405], where).toContain(status);
  // A 200 is only an RSC payload, with none of the page's headings (checked above), that either
  // carries the page's redirect to sign-in (the client router follows it) or, for a prefetch of
  // a dynamic page, the route tree alone without the page rendered.
  if (status === 200) {
    expect(response.headers()['content-type'] ?? '', where).toContain('text/x-component');
    const redirected = /NEXT_REDIRECT;[a-z]+;\/(admin\/)?sign-in\b/.test(body);
    const pageRendered = /"s":"__PAGE__","d"/.test(body);
    expect(redirected || !pageRendered, `${where} renders the page without a redirect to sign-in`).toBe(true);
  }
}

/** A path as the router resolves it: case, repeated or encoded slashes and dot segments aside. */
function normalised(pathname: string): string {
  return pathname
    .toLowerCase()
    .replace(/%2f/g, '/')
    .replace(/\/(\.|%2e)(?=\/)/g, '')
    .replace(/\/+/g, '/')
    .replace(/\/$/, '');
}

test('the protected lists are read from the tree and are not empty', () => {
  const paths = PAGES.map((page) => page.path);
  expect(paths).toEqual(expect.arrayContaining(['/account', '/account/security', '/account/sessions', '/admin', '/admin/users']));
  expect(PAGES.find((page) => page.path === '/account')!.markers).toContain('Your account');
  expect(ROUTES.filter((route) => route.path.startsWith('/api/account/')).length).toBeGreaterThanOrEqual(15);
  expect(ROUTES.filter((route) => route.path.startsWith('/api/admin/console/')).length).toBeGreaterThanOrEqual(15);
});

/**
 * Next.js answers an RSC request without its `_rsc` cache-busting parameter with a 307 to the
 * same path carrying one; that redirect serves nothing, so it is followed (once) with the same
 * headers and the answer it leads to is what is judged.
 */
async function fetchFollowingRscBust(request: APIRequestContext, target: string, options: Parameters<APIRequestContext['fetch']>[1]) {
  const response = await request.fetch(target, { ...options, maxRedirects: 0 });
  const location = response.headers()['location'];
  if (response.status() !== 307 || !location) return { response, target };
  const next = new URL(location, 'http://placeholder.test');
  if (!next.searchParams.has('_rsc')) return { response, target };
  const bust = `${next.pathname}${next.search}`;
  return { response: await request.fetch(bust, { ...options, maxRedirects: 0 }), target: next.pathname };
}

test('anonymous pages with internal Next.js headers are never served', async ({ request }) => {
  test.setTimeout(240_000);
  for (const page of PAGES) {
    for (const [label, headers] of HEADER_VARIANTS) {
      const { response, target } = await fetchFollowingRscBust(request, page.path, { method: 'GET', headers });
      await expectNotServed(response, target, page.markers, label);
    }
  }
});

test('anonymous pages under path variants are never served', async ({ request }) => {
  test.setTimeout(240_000);
  for (const page of PAGES) {
    for (const [label, variant] of pathVariants(page.path)) {
      for (const headers of [{}, { 'x-middleware-subrequest': SUBREQUEST_VALUES[0]! }] as Array<Record<string, string>>) {
        const response = await request.get(variant, { headers, maxRedirects: 0 });
        await expectNotServed(response, variant, page.markers, label);
      }
    }
  }
});

test('anonymous account and console routes with internal headers and path variants are refused', async ({ request, baseURL }) => {
  test.setTimeout(300_000);
  for (const route of ROUTES) {
    const attempts: Array<[string, string, Record<string, string>]> = [
      ...HEADER_VARIANTS.map(([label, headers]): [string, string, Record<string, string>] => [label, route.path, headers]),
      ...pathVariants(route.path).map(([label, variant]): [string, string, Record<string, string>] => [label, variant, { 'x-middleware-subrequest': SUBREQUEST_VALUES[0]! }]),
    ];
    for (const [label, target, headers] of attempts) {
      const { response, target: judged } = await fetchFollowingRscBust(request, target, {
        method: route.method,
        headers: { origin: baseURL!, 'content-type': 'application/json', ...headers },
        data: route.method === 'GET' ? undefined : '{}',
      });
      await expectNotServed(response, judged, [], `${route.method} ${label}`);
      expect(response.status(), `${route.method} ${target} (${label})`).toBeGreaterThanOrEqual(300);
    }
  }
});
