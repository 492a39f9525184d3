// `npm test`: the whole suite. Unit and integration tests (vitest; on PGlite, and on PostgreSQL
// when TEST_DATABASE_URL is set), then the production build, then Playwright end-to-end tests in
// Chromium against it (on the embedded database, and on a fresh PostgreSQL database when
// TEST_DATABASE_URL is set). Ends with one line: "N passed, N failed".
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { adminQuery, withDatabase } from './postgres-admin.mjs';
import { ensureBuild } from './ensure-build.mjs';

const RESULTS = '.test-results';
fs.rmSync(RESULTS, { recursive: true, force: true });
fs.mkdirSync(RESULTS, { recursive: true });

const run = (bin, args, env = {}) =>
  spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit', env: { ...process.env, ...env } }).status;

const vitestStatus = run('node_modules/vitest/vitest.mjs', [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${RESULTS}/vitest.json`,
]);

await ensureBuild();

let e2eDatabase;
const serverUrl = process.env.TEST_DATABASE_URL;
if (serverUrl) {
  e2eDatabase = `optare_e2e_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${e2eDatabase}"`);
}
let playwrightStatus;
try {
  const env = e2eDatabase ? { E2E_DATABASE_URL: withDatabase(serverUrl, e2eDatabase) } : {};
  playwrightStatus = run('node_modules/@playwright/test/cli.js', ['test'], env);
} finally {
  if (e2eDatabase) await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${e2eDatabase}" WITH (FORCE)`);
}

const counts = { passed: 0, failed: 0, skipped: 0 };
const vitest = readJson(`${RESULTS}/vitest.json`);
if (vitest) {
  counts.passed += vitest.numPassedTests;
  counts.failed += vitest.numFailedTests;
  counts.skipped += vitest.numPendingTests + vitest.numTodoTests;
}
const playwright = readJson(`${RESULTS}/playwright.json`);
if (playwright) {
  counts.passed += playwright.stats.expected;
  counts.failed += playwright.stats.unexpected + playwright.stats.flaky;
  counts.skipped += playwright.stats.skipped;
}
if (!vitest || !playwright) counts.failed += 1; // a runner that crashed before reporting
const failed = vitestStatus !== 0 || playwrightStatus !== 0 || counts.failed > 0;
// The last lines are what a CI log keeps, so they name every failed test again.
const failedTitles = [...failedVitestTests(vitest), ...failedPlaywrightTests(playwright)];
if (failedTitles.length > 0) console.log(`\nfailed:\n${failedTitles.map((title) => `  ${title}`).join('\n')}`);
console.log(`\ntotal: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failed ? 1 : 0);

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    console.error(`missing test report ${file}`);
    return null;
  }
}

function failedVitestTests(report) {
  if (!report) return [];
  return report.testResults.flatMap((file) =>
    file.assertionResults
      .filter((test) => test.status === 'failed')
      .map((test) => `${relative(file.name)} › ${test.fullName}`),
  );
}

function failedPlaywrightTests(report) {
  if (!report) return [];
  const titles = [];
  const visit = (suite, path) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) {
        if (test.status === 'unexpected' || test.status === 'flaky') {
          titles.push(`[${test.projectName}] ${spec.file}:${spec.line} › ${[...path, spec.title].join(' › ')} (${test.status})`);
        }
      }
    }
    for (const child of suite.suites ?? []) visit(child, [...path, child.title]);
  };
  for (const suite of report.suites) visit(suite, []);
  return titles;
}

function relative(file) {
  return file.startsWith(process.cwd()) ? file.slice(process.cwd().length + 1) : file;
}
