import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without type declarations
import { ensureServerBundle, serverBundlePath } from '../../scripts/build-server.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

describe('the production server bundle (scripts/build-server.mjs)', () => {
  let distDir: string;
  let bundle: string;
  const previous = process.env.OPTARE_NEXT_DIST_DIR;

  beforeAll(async () => {
    // Inside the checkout (.next-* is ignored by git), as a real build directory is: the bundle's
    // package imports resolve from node_modules above it.
    distDir = fs.mkdtempSync(path.join(ROOT, '.next-bundle-test-'));
    process.env.OPTARE_NEXT_DIST_DIR = distDir;
    bundle = await ensureServerBundle();
  }, 60_000);
  afterAll(() => {
    if (previous === undefined) delete process.env.OPTARE_NEXT_DIST_DIR;
    else process.env.OPTARE_NEXT_DIST_DIR = previous;
    fs.rmSync(distDir, { recursive: true, force: true });
  });

  it('is written into the build directory, with a linked source map and no source text in it', () => {
    expect(bundle).toBe(path.join(distDir, 'optare-server', 'main.mjs'));
    expect(serverBundlePath()).toBe(bundle);
    const text = fs.readFileSync(bundle, 'utf8');
    expect(text).toMatch(/\/\/# sourceMappingURL=main\.mjs\.map\s*$/);
    const map = JSON.parse(fs.readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources.some((source) => source.endsWith('lib/server/main.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('holds all of lib/ it needs and imports only Node built-ins and production dependencies', () => {
    const text = fs.readFileSync(bundle, 'utf8');
    const specifiers = [...text.matchAll(/^import\s[^'"]*?\bfrom\s+"([^"]+)"|^import\s+"([^"]+)"|\bimport\("([^"]+)"\)/gm)].map((match) => match[1] ?? match[2] ?? match[3]!);
    expect(specifiers.length).toBeGreaterThan(10);
    const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
    const notProduction = specifiers.filter(
      (specifier) =>
        !specifier.startsWith('node:') && !builtinModules.includes(specifier) && !(packageOf(specifier) in packageJson.dependencies),
    );
    // A relative path or a .ts file would be looked for next to the bundle; a devDependency is
    // missing where production installs omit them; `server-only` would throw outside Next.js.
    expect(notProduction).toEqual([]);
    expect(specifiers).not.toContain('server-only');
  });

  it('is not rebuilt while lib/ is unchanged', async () => {
    const before = fs.statSync(bundle).mtimeMs;
    expect(await ensureServerBundle()).toBe(bundle);
    expect(fs.statSync(bundle).mtimeMs).toBe(before);
  });

  it('is rebuilt when it is missing, and exports the server bootstrap', async () => {
    fs.rmSync(bundle);
    expect(await ensureServerBundle()).toBe(bundle);
    const loaded = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); console.log(typeof m.main);`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout.trim()).toBe('function');
  }, 90_000);
});
