import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * docs/security/asvs.md names, for every OWASP ASVS 5.0 requirement in scope, the tests that
 * prove it; scripts/check-asvs.mjs (`npm run check:asvs`) checks that they still exist. This runs
 * that script, on the real matrix and on small hostile ones, so `npm test` fails as soon as the
 * matrix goes stale.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHECKER = path.join(ROOT, 'scripts/check-asvs.mjs');
/** The checker parses every named test file with TypeScript: seconds of work on a loaded machine. */
const SLOW = 120_000;

function check(args: string[], cwd = ROOT) {
  const result = spawnSync(process.execPath, [CHECKER, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Rows per chapter, from the summary the checker prints: `V6    47  Met 26, …`. */
function rowsPerChapter(stdout: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const match of stdout.matchAll(/^(V\d+)\s+(\d+)\s/gm)) rows.set(match[1]!, Number(match[2]));
  return rows;
}

describe('the ASVS matrix (docs/security/asvs.md)', () => {
  let result: ReturnType<typeof check>;
  beforeAll(() => {
    result = check([]);
  }, SLOW);

  it('names only test files, test titles and headings that exist, with known statuses and unique ids', () => {
    const { status, stdout, stderr } = result;
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/every named test and heading exists/);
  });

  it('lists every requirement of the ASVS 5.0 chapters in scope (V1–V4, V6–V16)', () => {
    const rows = rowsPerChapter(result.stdout);
    expect(Object.fromEntries(rows)).toEqual({
      V1: 30,
      V2: 13,
      V3: 31,
      V4: 16,
      V6: 47,
      V7: 19,
      V8: 13,
      V9: 7,
      V10: 36,
      V11: 24,
      V12: 12,
      V13: 21,
      V14: 13,
      V15: 21,
      V16: 17,
    });
  });
});

describe('scripts/check-asvs.mjs', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A project of one test file and one README, and a matrix whose rows are `rows`. */
  function project(rows: string[], summary: string[] = []): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-asvs-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'tests'));
    fs.writeFileSync(
      path.join(dir, 'tests/sample.test.ts'),
      [
        "describe('sessions', () => {",
        "  it('ends the session at sign-out', () => {});",
        "  it.each([['a'], ['b']])('refuses %s with a 4xx', () => {});",
        '  for (const kind of kinds) it(`refuses ${kind}`, () => {});',
        "  it(",
        "    'has a title on its own line',",
        '    () => {},',
        '  );',
        "  test.describe('a nested suite', () => {});",
        '});',
        "// it('a title in a comment does not count', () => {});",
        "expect('a title in an assertion does not count').toBeTruthy();",
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'README.md'), '# Sample\n\n## Rate limits\n\n```\n## Not a heading\n```\n');
    const table = [
      '| ID | Level | Requirement | Status | How Optare meets it | Evidence |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ];
    const summaryTable = summary.length
      ? ['| Chapter | Rows | Met | Met, untested | Partial | Gap | Not applicable |', '| --- | --- | --- | --- | --- | --- | --- |', ...summary, '']
      : [];
    fs.writeFileSync(path.join(dir, 'asvs.md'), ['# Matrix', '', ...summaryTable, '## V7', '', ...table, ''].join('\n'));
    return dir;
  }

  const run = (dir: string) => check(['--matrix', 'asvs.md', '--root', dir], dir);

  it('accepts every evidence form: it, it.each, template titles, titles split over lines, suites, chains and headings', () => {
    const dir = project(
      [
        '| 7.4.1 | 1 | Logout ends the session | Met | lib/auth/sessions.ts | `tests/sample.test.ts` › "ends the session at sign-out" |',
        '| 7.4.2 | 1 | Disabled users lose sessions | Met | x | `tests/sample.test.ts` › "refuses %s with a 4xx"<br>`tests/sample.test.ts` › "refuses ${kind}" |',
        '| 7.4.3 | 2 | Option to end sessions | Met | x | `tests/sample.test.ts` › "sessions" › "has a title on its own line"<br>`tests/sample.test.ts` › "a nested suite" |',
        '| 7.4.4 | 2 | Logout visible | Met | x | `README.md` § "Rate limits" |',
        '| 7.4.5 | 2 | Admins end sessions | Met, untested | x \\| y | — |',
        '| 7.5.1 | 2 | Re-authentication | Partial | x | — |',
        '| 7.5.2 | 2 | Sessions listed | Gap | x | — |',
        '| 7.6.1 | 2 | Federated | Not applicable | x | — |',
      ],
      ['| V7 | 8 | 4 | 1 | 1 | 1 | 1 |', '| Total | 8 | 4 | 1 | 1 | 1 | 1 |'],
    );
    const { status, stdout, stderr } = run(dir);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/8 requirements, every named test and heading exists/);
  }, SLOW);

  it('reports every stale reference (missing file, renamed test, title only in a comment, missing heading) and exits 1', () => {
    const dir = project([
      '| 7.4.1 | 1 | a | Met | x | `tests/gone.test.ts` › "ends the session at sign-out" |',
      '| 7.4.2 | 1 | a | Met | x | `tests/sample.test.ts` › "ends the session at sign out" |',
      '| 7.4.3 | 2 | a | Met | x | `tests/sample.test.ts` › "a title in a comment does not count"<br>`tests/sample.test.ts` › "a title in an assertion does not count" |',
      '| 7.4.4 | 2 | a | Met | x | `README.md` § "Not a heading" |',
      '| 7.4.5 | 2 | a | Met | x | `../outside.test.ts` › "anything" |',
    ]);
    const { status, stderr } = run(dir);
    expect(status).toBe(1);
    expect(stderr).toContain('7.4.1: tests/gone.test.ts does not exist');
    expect(stderr).toContain('7.4.2: tests/sample.test.ts declares no test or suite named "ends the session at sign out"');
    expect(stderr).toContain('declares no test or suite named "a title in a comment does not count"');
    expect(stderr).toContain('declares no test or suite named "a title in an assertion does not count"');
    expect(stderr).toContain('7.4.4: README.md has no heading "Not a heading"');
    expect(stderr).toContain('7.4.5: ../outside.test.ts does not exist');
    expect(stderr).toMatch(/asvs\.md:\d+: 7\.4\.1: /);
    expect(stderr).toContain('check:asvs: 6 problems');
  }, SLOW);

  it('refuses unknown statuses and levels, missing, malformed and repeated ids, Met without evidence and evidence it cannot read', () => {
    const dir = project([
      '| 7.4.1 | 1 | a | Done | x | — |',
      '|  | 1 | a | Gap | x | — |',
      '| V7.4.2 | 1 | a | Gap | x | — |',
      '| 7.4.3 | 4 | a | Gap | x | — |',
      '| 7.4.4 | 2 | a | Gap | x | — |',
      '| 7.4.4 | 2 | a | Gap | x | — |',
      '| 7.4.5 | 2 | a | Met | x | — |',
      '| 7.5.1 | 2 | a | Partial | x | tests/sample.test.ts: ends the session at sign-out |',
      '| 7.5.2 | 2 | a | Gap | x |',
    ]);
    const { status, stderr } = run(dir);
    expect(status).toBe(1);
    expect(stderr).toContain('7.4.1: status "Done" is not one of: Met, Met, untested, Partial, Gap, Not applicable');
    expect(stderr).toContain('the requirement id is missing');
    expect(stderr).toContain('"V7.4.2" is not a requirement id (like 6.2.1)');
    expect(stderr).toContain('7.4.3: level "4" is not 1, 2 or 3');
    expect(stderr).toMatch(/7\.4\.4: requirement 7\.4\.4 is listed twice \(first at line \d+\)/);
    expect(stderr).toContain('7.4.5: a Met row names no evidence (say "Met, untested" instead)');
    expect(stderr).toContain('7.5.1: evidence not understood: tests/sample.test.ts: ends the session at sign-out');
    expect(stderr).toContain('7.5.2: expected 6 cells, found 5');
  }, SLOW);

  it('refuses a summary whose counts disagree with the rows', () => {
    const dir = project(
      ['| 7.4.1 | 1 | a | Gap | x | — |', '| 7.4.2 | 1 | a | Gap | x | — |'],
      ['| V7 | 2 | 0 | 0 | 0 | 1 | 0 |', '| V9 | 1 | 1 | 0 | 0 | 0 | 0 |', '| Total | 2 | 0 | 0 | 0 | 2 | 0 |'],
    );
    const { status, stderr } = run(dir);
    expect(status).toBe(1);
    expect(stderr).toContain('the summary of V7 says 2/0/0/0/1/0, the rows say 2/0/0/0/2/0');
    expect(stderr).toContain('the summary names chapter "V9", which has no rows');
    expect(stderr).not.toContain('summary of Total');
  }, SLOW);

  it('fails, rather than passing silently, on a matrix without rows or one that does not exist', () => {
    const empty = project([]);
    const result = run(empty);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no matrix rows found');
    expect(check(['--matrix', 'missing.md', '--root', empty], empty).status).toBe(2);
  }, SLOW);
});
