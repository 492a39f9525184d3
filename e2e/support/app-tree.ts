import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * The pages and route handlers of the app/ tree, read from the files, so that the access specs
 * cover every route that exists rather than a list someone remembered to update.
 */

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** A value for each dynamic [segment] that names something that exists; any other gets a fresh UUID. */
const SAMPLE_SEGMENTS: Record<string, string> = { clientId: 'optare-admin-console', seq: '1' };

/** Every file called `name` under `dir`. */
export function files(dir: string, name: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full, name) : entry.name === name ? [full] : [];
  });
}

/** The URL path of a page or route file, route groups left out and each [segment] filled in. */
export function urlPath(file: string): string {
  const segments = path
    .relative(path.join(ROOT, 'app'), path.dirname(file))
    .split(path.sep)
    .filter((segment) => segment && !/^\(.*\)$/.test(segment))
    .map((segment) => {
      const dynamic = /^\[(.+)\]$/.exec(segment);
      return dynamic ? (SAMPLE_SEGMENTS[dynamic[1]!] ?? randomUUID()) : segment;
    });
  return `/${segments.join('/')}`;
}

/** Every method a route file under `dir` (relative to the repository) exports, with its path. */
export function routes(dir: string): Array<{ method: string; path: string }> {
  return files(path.join(ROOT, dir), 'route.ts').flatMap((file) => {
    const source = fs.readFileSync(file, 'utf8');
    const methods = [...source.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
    const exported = /export \{([^}]*)\}/.exec(source)?.[1] ?? '';
    for (const m of exported.matchAll(/\bas (GET|POST|PUT|PATCH|DELETE)\b/g)) methods.push(m[1]!);
    return methods.map((method) => ({ method, path: urlPath(file) }));
  });
}
