import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * SSRF and unreviewed egress (ASVS 13.2.4, 13.2.5): Optare opens outbound connections only to
 * destinations an operator configured. This reads every source file of lib/, app/, components/ and proxy.ts
 * with the TypeScript parser and lists each outbound network API it uses; each must be on the
 * allowlist below, which says where it connects. A new outbound call fails this test until someone
 * has reviewed it and added it here, and an entry whose call is gone fails it too.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCANNED = ['lib', 'app', 'components'];
/** Server code outside those folders: Next.js's request proxy. */
const SCANNED_FILES = ['proxy.ts'];
const SKIPPED = [/\.test\.tsx?$/, /^lib\/db\/generated\//];

/**
 * Modules whose import (a value, not `import type`) can open a connection. Core modules that also
 * serve or only parse (node:http, node:net, node:tls) are listed with their connecting members, so
 * a server's `import http` is one reviewed entry and an `http.request` anywhere is another.
 */
const NETWORK_MODULES = [
  'http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns',
  'undici', 'node-fetch', 'axios', 'got', 'ws', 'ioredis', 'redis', 'pg', 'postgres', 'nodemailer',
  'next-auth', 'openid-client', '@prisma/adapter-pg', '@electric-sql/pglite-socket',
];
const CONNECTING_MEMBERS: Record<string, string[]> = {
  http: ['request', 'get', 'Agent', 'ClientRequest'],
  https: ['request', 'get', 'Agent'],
  http2: ['connect'],
  net: ['connect', 'createConnection', 'Socket'],
  tls: ['connect', 'TLSSocket'],
};
const BROWSER_CONSTRUCTORS = ['WebSocket', 'EventSource', 'XMLHttpRequest', 'RTCPeerConnection'];

/** Where each reviewed outbound API connects, by file. Keep the reasons true. */
const ALLOWLIST: Record<string, Record<string, string>> = {
  'lib/db/client.ts': {
    'import pg': 'the database: DATABASE_URL, or the embedded database over its private Unix socket',
    'import @prisma/adapter-pg': 'the same database, through the pg pool above',
  },
  'lib/db/migrate.ts': { 'import pg': 'the same database, to apply migrations' },
  'lib/db/embedded.ts': { 'import @electric-sql/pglite-socket': 'inbound only: serves the embedded database on a Unix socket in a 0700 directory' },
  'lib/rate-limit/redis.ts': { 'import ioredis': 'REDIS_URL, the shared rate-limit counters' },
  'lib/email/send.ts': { 'import nodemailer': 'SMTP_URL, the mail relay' },
  'lib/auth/breached-passwords.ts': { fetch: 'OPTARE_BREACHED_PASSWORD_API (off unless set), redirects refused, 2 s timeout' },
  'app/admin/auth/[...nextauth]/route.ts': {
    'import next-auth': "the console's hairpin calls to its own issuer: endpoints pinned to OPTARE_ISSUER (app/admin/_server/auth-options.ts)",
  },
  'app/admin/_server/console.ts': { 'import next-auth': 'next-auth/jwt decode only: reads the console session cookie, no connection' },
  'lib/server/main.ts': { 'import http': 'inbound only: the HTTP listener', 'import https': 'inbound only: the HTTPS listener' },
  'lib/server/http-redirect.ts': { 'import http': 'inbound only: the plain-HTTP redirect listener' },
  'lib/server/tls.ts': { 'import tls': 'inbound only: secure contexts and the public root store, no connection' },
  'lib/server/client-ip.ts': { 'import net': 'net.isIP only: parses addresses' },
  // In the browser, same origin only (and the CSP says connect-src 'self').
  'components/auth/post-json.ts': { fetch: "browser: same-origin JSON POSTs to Optare's own endpoints, redirects refused" },
  'components/session-end-watcher.tsx': { fetch: "browser: Optare's own session-status endpoints (account area, console)" },
  'components/admin/console-sign-in-button.tsx': { fetch: "browser: the console's own next-auth CSRF endpoint" },
};

/** The package a module specifier names: node:http → http, next-auth/jwt → next-auth, @scope/pkg/x → @scope/pkg. */
function packageOf(specifier: string): string {
  const bare = specifier.replace(/^node:/, '');
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The outbound network APIs `source` uses, e.g. "fetch", "import pg", "http.request", "new WebSocket". */
function outboundApis(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found = new Set<string>();
  const aliases = new Map<string, string>(); // local name of a default/namespace import → core module
  const isNetwork = (specifier: string) => NETWORK_MODULES.includes(packageOf(specifier));

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && isNetwork(node.moduleSpecifier.text)) {
      const clause = node.importClause;
      const name = packageOf(node.moduleSpecifier.text);
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : [];
      const valueNamed = named.filter((element) => !element.isTypeOnly);
      const hasValue = !clause || (!clause.isTypeOnly && (clause.name || (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) || valueNamed.length > 0));
      if (hasValue) found.add(`import ${name}`);
      if (clause && !clause.isTypeOnly) {
        if (clause.name) aliases.set(clause.name.text, name);
        if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) aliases.set(clause.namedBindings.name.text, name);
        for (const element of valueNamed) {
          const imported = (element.propertyName ?? element.name).text;
          if (CONNECTING_MEMBERS[name]?.includes(imported)) found.add(`${name}.${imported}`);
        }
      }
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly && isNetwork(node.moduleSpecifier.text)) {
      found.add(`import ${packageOf(node.moduleSpecifier.text)}`);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const [first] = node.arguments;
      const dynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require');
      if (dynamicImport && first && ts.isStringLiteralLike(first) && isNetwork(first.text)) found.add(`import ${packageOf(first.text)}`);
      if (ts.isIdentifier(callee) && callee.text === 'fetch') found.add('fetch');
      if (ts.isPropertyAccessExpression(callee) && ['fetch', 'sendBeacon'].includes(callee.name.text)) {
        const owner = callee.expression.getText(file);
        if (['globalThis', 'window', 'self', 'global', 'navigator'].includes(owner)) found.add(callee.name.text === 'fetch' ? 'fetch' : 'navigator.sendBeacon');
      }
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && BROWSER_CONSTRUCTORS.includes(node.expression.text)) {
      found.add(`new ${node.expression.text}`);
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const core = aliases.get(node.expression.text);
      if (core && CONNECTING_MEMBERS[core]?.includes(node.name.text)) found.add(`${core}.${node.name.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...found].sort();
}

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry.name) && !SKIPPED.some((pattern) => pattern.test(relative))) files.push(relative);
    }
  };
  for (const dir of SCANNED) walk(dir);
  return [...files, ...SCANNED_FILES];
}

describe('SSRF and unreviewed egress (ASVS 13.2.4, 13.2.5)', () => {
  const found = new Map(
    sourceFiles()
      .map((file) => [file, outboundApis(file, fs.readFileSync(path.join(ROOT, file), 'utf8'))] as const)
      .filter(([, apis]) => apis.length > 0),
  );

  it('every outbound network API in lib/, app/, components/ and proxy.ts is on the allowlist of reviewed, configured destinations', () => {
    const unreviewed = [...found].flatMap(([file, apis]) => apis.filter((api) => !ALLOWLIST[file]?.[api]).map((api) => `${file}: ${api}`));
    expect(unreviewed, 'review each new outbound call and add it to ALLOWLIST with where it connects').toEqual([]);
  });

  it('the allowlist names no call that is gone (it stays a list of what the code really does)', () => {
    const stale = Object.entries(ALLOWLIST).flatMap(([file, apis]) =>
      Object.keys(apis).filter((api) => !found.get(file)?.includes(api)).map((api) => `${file}: ${api}`),
    );
    expect(stale).toEqual([]);
  });

  it('the scan sees every kind of outbound call, and not type imports or servers', () => {
    const cases: [string, string[]][] = [
      ['await fetch(url);', ['fetch']],
      ['await globalThis.fetch(new URL(input));', ['fetch']],
      ["import http from 'node:http'; http.request(target);", ['http.request', 'import http']],
      ["import * as https from 'https'; https.get(target);", ['https.get', 'import https']],
      ["import { request as send } from 'node:https'; send(target);", ['https.request', 'import https']],
      ["import net from 'node:net'; net.connect(5432, host);", ['import net', 'net.connect']],
      ["import tls from 'node:tls'; tls.connect({ host });", ['import tls', 'tls.connect']],
      ["import dgram from 'node:dgram'; dgram.createSocket('udp4');", ['import dgram']],
      ['const socket = new WebSocket(url);', ['new WebSocket']],
      ['navigator.sendBeacon(url, data);', ['navigator.sendBeacon']],
      ["import nodemailer from 'nodemailer'; nodemailer.createTransport(url);", ['import nodemailer']],
      ["import { Redis } from 'ioredis'; new Redis(url);", ['import ioredis']],
      ["import pg from 'pg'; new pg.Pool({ connectionString });", ['import pg']],
      ["const { Client } = await import('pg');", ['import pg']],
      ["const undici = require('undici');", ['import undici']],
      ["export { request } from 'undici';", ['import undici']],
      ["import type { Pool } from 'pg'; import { type QueryResultRow } from 'pg';", []],
      ["import http from 'node:http'; http.createServer(handler).listen(3000);", ['import http']],
      ["import net from 'node:net'; net.isIP(address);", ['import net']],
    ];
    for (const [source, apis] of cases) expect(outboundApis('case.ts', source), source).toEqual(apis);
  });
});
