// `npm run check:asvs`: keeps docs/security/asvs.md honest. The matrix names, for each OWASP ASVS
// 5.0 requirement, the tests (or documentation headings) that prove it; this script checks that
// every one of them still exists, so the matrix cannot go stale silently.
//
// It reads every table of the matrix whose header is
// `| ID | Level | Requirement | Status | How Optare meets it | Evidence |` and reports, with the
// matrix line:
//   - a row without a well-formed requirement id (`6.2.1`), or an id given twice;
//   - a level other than 1, 2 or 3, a status other than the five of STATUSES;
//   - a `Met` row without evidence (`Met, untested` says so openly instead);
//   - evidence that is not one of the two forms below, names a file that does not exist, or a
//     test title the file does not declare;
//   - a summary table (`| Chapter | Rows | Met | …`) whose counts differ from the rows.
//
// Evidence, several items separated by `<br>`:
//   `tests/integration/sessions.test.ts` › "title"                   a test the file declares
//   `tests/integration/x.test.ts` › "describe title" › "it title"    each title declared in the file
//   `README.md` § "Heading"                                           a Markdown heading of that file
//   —                                                                 none
// A title is declared when it is the first argument of it(…), test(…), describe(…), their
// modifiers (it.only, test.describe.serial, …) or of the call it.each(…)(…) returns: exactly the
// string literal's text, or for a template literal its source text between the backticks
// (`refuses ${kind}`). Files are parsed with TypeScript, so a title in a comment or an assertion
// does not count. A `|` inside a cell is written `\|`.
//
// Usage: node scripts/check-asvs.mjs [--matrix docs/security/asvs.md] [--root .] [--quiet]
// Exit code 0 when the matrix is consistent, 1 when it is not, 2 when it cannot be read.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export const STATUSES = ['Met', 'Met, untested', 'Partial', 'Gap', 'Not applicable'];
export const MATRIX_HEADER = ['ID', 'Level', 'Requirement', 'Status', 'How Optare meets it', 'Evidence'];
const SUMMARY_HEADER = ['Chapter', 'Rows', ...STATUSES];
const REQUIREMENT_ID = /^\d{1,2}\.\d{1,2}\.\d{1,2}$/;
const NO_EVIDENCE = new Set(['', '—', '-', '–']);
const TEST_CALLEES = new Set(['it', 'test', 'describe', 'suite', 'bench']);

/** The cells of a Markdown table row, with `\|` read as a literal bar; null for a non-row. */
export function tableCells(line) {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|')) return null;
  const cells = [];
  let cell = '';
  for (let i = 1; i < trimmed.length; i += 1) {
    const char = trimmed[i];
    if (char === '\\' && trimmed[i + 1] === '|') {
      cell += '|';
      i += 1;
    } else if (char === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell.trim() !== '') cells.push(cell.trim()); // a row without its closing bar
  return cells;
}

function isSeparatorRow(cells) {
  return cells.length > 0 && cells.every((cell) => /^:?-{3,}:?$/.test(cell));
}

function sameHeader(cells, expected) {
  return cells.length === expected.length && cells.every((cell, i) => cell === expected[i]);
}

/** `**6.2.1**` or `6.2.1` → `6.2.1`. */
function plainId(cell) {
  return cell.replace(/^\*\*(.*)\*\*$/, '$1').trim();
}

/**
 * The evidence items of a cell: `{ kind: 'test', file, titles }`, `{ kind: 'doc', file, heading }`
 * or `{ kind: 'malformed', text }`. An empty cell or a dash is no evidence.
 */
export function parseEvidence(cell) {
  if (NO_EVIDENCE.has(cell.trim())) return [];
  return cell
    .split(/<br\s*\/?>/i)
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const test = /^`([^`]+)`\s*›\s*"(.*)"$/s.exec(item);
      if (test) return { kind: 'test', file: test[1], titles: test[2].split(/"\s*›\s*"/) };
      const doc = /^`([^`]+)`\s*§\s*"(.*)"$/s.exec(item);
      if (doc) return { kind: 'doc', file: doc[1], heading: doc[2] };
      return { kind: 'malformed', text: item };
    });
}

/** The rows of every matrix table, and every summary row, of the Markdown text. */
export function parseMatrix(text) {
  const rows = [];
  const summary = [];
  const problems = [];
  let table = null; // 'matrix' | 'summary' | 'other' while inside a table
  let expectSeparator = false;
  text.split('\n').forEach((line, index) => {
    const lineNumber = index + 1;
    const cells = tableCells(line);
    if (cells === null) {
      table = null;
      return;
    }
    if (table === null) {
      table = sameHeader(cells, MATRIX_HEADER) ? 'matrix' : sameHeader(cells, SUMMARY_HEADER) ? 'summary' : 'other';
      if (table === 'other' && cells[0] === 'ID') {
        problems.push({ line: lineNumber, id: null, message: `a matrix table header must be | ${MATRIX_HEADER.join(' | ')} |` });
      }
      expectSeparator = true;
      return;
    }
    if (expectSeparator) {
      expectSeparator = false;
      if (isSeparatorRow(cells)) return;
    }
    if (table === 'summary') {
      summary.push({ line: lineNumber, cells });
      return;
    }
    if (table !== 'matrix') return;
    if (cells.length !== MATRIX_HEADER.length) {
      problems.push({ line: lineNumber, id: plainId(cells[0] ?? '') || null, message: `expected ${MATRIX_HEADER.length} cells, found ${cells.length}` });
      return;
    }
    const [id, level, requirement, status, how, evidence] = cells;
    rows.push({ line: lineNumber, id: plainId(id), level, requirement, status, how, evidence: parseEvidence(evidence) });
  });
  return { rows, summary, problems };
}

/** Every test title a test file declares (see the header of this file). */
export function declaredTitles(source, fileName) {
  const kind = fileName.endsWith('x') ? ts.ScriptKind.TSX : fileName.endsWith('.js') || fileName.endsWith('.mjs') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, kind);
  const titles = new Set();
  const isTestCallee = (expression) => {
    if (ts.isIdentifier(expression)) return TEST_CALLEES.has(expression.text);
    if (ts.isPropertyAccessExpression(expression)) return isTestCallee(expression.expression);
    if (ts.isCallExpression(expression)) {
      // it.each(table)('title', …): the call's callee is itself a call of .each or .for.
      const callee = expression.expression;
      return ts.isPropertyAccessExpression(callee) && ['each', 'for'].includes(callee.name.text) && isTestCallee(callee.expression);
    }
    return false;
  };
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.arguments.length > 0 && isTestCallee(node.expression)) {
      const [first] = node.arguments;
      if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) titles.add(first.text);
      else if (ts.isTemplateExpression(first)) titles.add(first.getText(file).slice(1, -1));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return titles;
}

/** Every Markdown heading text of a document (`## Security model in brief` → `Security model in brief`). */
export function markdownHeadings(source) {
  const headings = new Set();
  let fenced = false;
  for (const line of source.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) headings.add(heading[1]);
  }
  return headings;
}

/**
 * Checks the matrix at `matrixPath` against the files under `root`. Returns every problem (line,
 * requirement id, message), the rows, and the counts per chapter and status.
 */
export function checkMatrix({ matrixPath, root }) {
  const text = fs.readFileSync(matrixPath, 'utf8');
  const { rows, summary, problems } = parseMatrix(text);
  const cache = new Map();
  const read = (relative, parse) => {
    const key = `${parse.name}:${relative}`;
    if (!cache.has(key)) {
      const absolute = path.resolve(root, relative);
      const inside = absolute === path.resolve(root) || absolute.startsWith(path.resolve(root) + path.sep);
      cache.set(key, inside && fs.existsSync(absolute) && fs.statSync(absolute).isFile() ? parse(fs.readFileSync(absolute, 'utf8'), relative) : null);
    }
    return cache.get(key);
  };

  const seen = new Map();
  for (const row of rows) {
    const report = (message) => problems.push({ line: row.line, id: row.id || null, message });
    if (!REQUIREMENT_ID.test(row.id)) {
      report(row.id === '' ? 'the requirement id is missing' : `"${row.id}" is not a requirement id (like 6.2.1)`);
    } else if (seen.has(row.id)) {
      report(`requirement ${row.id} is listed twice (first at line ${seen.get(row.id)})`);
    } else {
      seen.set(row.id, row.line);
    }
    if (!['1', '2', '3'].includes(row.level)) report(`level "${row.level}" is not 1, 2 or 3`);
    if (!STATUSES.includes(row.status)) report(`status "${row.status}" is not one of: ${STATUSES.join(', ')}`);
    if (row.status === 'Met' && row.evidence.length === 0) report('a Met row names no evidence (say "Met, untested" instead)');
    for (const item of row.evidence) {
      if (item.kind === 'malformed') {
        report(`evidence not understood: ${item.text}`);
        continue;
      }
      if (item.kind === 'test') {
        const titles = read(item.file, declaredTitles);
        if (titles === null) {
          report(`${item.file} does not exist`);
          continue;
        }
        for (const title of item.titles) {
          if (!titles.has(title)) report(`${item.file} declares no test or suite named "${title}"`);
        }
      } else {
        const headings = read(item.file, markdownHeadings);
        if (headings === null) report(`${item.file} does not exist`);
        else if (!headings.has(item.heading)) report(`${item.file} has no heading "${item.heading}"`);
      }
    }
  }

  const counts = countRows(rows);
  for (const { line, cells } of summary) {
    const [chapter, ...numbers] = cells;
    const expected = chapter === 'Total' ? totals(counts) : counts.get(chapter);
    if (!expected) {
      problems.push({ line, id: null, message: `the summary names chapter "${chapter}", which has no rows` });
      continue;
    }
    const actual = [expected.rows, ...STATUSES.map((status) => expected[status])];
    if (numbers.length !== actual.length || numbers.some((n, i) => Number(n) !== actual[i])) {
      problems.push({ line, id: null, message: `the summary of ${chapter} says ${numbers.join('/')}, the rows say ${actual.join('/')}` });
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return { problems, rows, counts };
}

/** Rows per chapter (`V6`) and per status. */
export function countRows(rows) {
  const counts = new Map();
  for (const row of rows) {
    const chapter = `V${row.id.split('.')[0]}`;
    if (!counts.has(chapter)) counts.set(chapter, { rows: 0, ...Object.fromEntries(STATUSES.map((status) => [status, 0])) });
    const entry = counts.get(chapter);
    entry.rows += 1;
    if (STATUSES.includes(row.status)) entry[row.status] += 1;
  }
  return new Map([...counts].sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1))));
}

function totals(counts) {
  const total = { rows: 0, ...Object.fromEntries(STATUSES.map((status) => [status, 0])) };
  for (const entry of counts.values()) for (const key of Object.keys(total)) total[key] += entry[key];
  return total;
}

/** Rewrites the summary table's counts from the rows (after rows changed status). */
export function writeSummary(matrixPath) {
  const text = fs.readFileSync(matrixPath, 'utf8');
  const { rows, summary } = parseMatrix(text);
  const counts = countRows(rows);
  const lines = text.split('\n');
  for (const { line, cells } of summary) {
    const chapter = cells[0];
    const entry = chapter === 'Total' ? totals(counts) : counts.get(chapter);
    if (!entry) continue;
    lines[line - 1] = `| ${[chapter, entry.rows, ...STATUSES.map((status) => entry[status])].join(' | ')} |`;
  }
  fs.writeFileSync(matrixPath, lines.join('\n'));
}

function parseArguments(argv) {
  const options = { matrix: 'docs/security/asvs.md', root: '.', quiet: false, writeSummary: false };
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i];
    if (argument === '--quiet') options.quiet = true;
    else if (argument === '--write-summary') options.writeSummary = true;
    else if ((argument === '--matrix' || argument === '--root') && argv[i + 1] !== undefined) options[argument.slice(2)] = argv[(i += 1)];
    else throw new Error(`unknown argument ${argument}\nusage: node scripts/check-asvs.mjs [--matrix docs/security/asvs.md] [--root .] [--quiet] [--write-summary]`);
  }
  return options;
}

function main() {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    return 2;
  }
  const root = path.resolve(options.root);
  const matrixPath = path.resolve(root, options.matrix);
  if (!fs.existsSync(matrixPath)) {
    console.error(`check:asvs: ${options.matrix} does not exist`);
    return 2;
  }
  if (options.writeSummary) writeSummary(matrixPath);
  const { problems, rows, counts } = checkMatrix({ matrixPath, root });
  const shown = path.relative(process.cwd(), matrixPath) || matrixPath;
  for (const problem of problems) console.error(`${shown}:${problem.line}: ${problem.id ? `${problem.id}: ` : ''}${problem.message}`);
  if (rows.length === 0) {
    console.error(`${shown}: no matrix rows found (a table with the header | ${MATRIX_HEADER.join(' | ')} |)`);
    return 1;
  }
  if (!options.quiet) {
    const total = totals(counts);
    const line = (name, entry) => `${name.padEnd(8)}${String(entry.rows).padStart(5)}  ${STATUSES.map((status) => `${status} ${entry[status]}`).join(', ')}`;
    for (const [chapter, entry] of counts) console.log(line(chapter, entry));
    console.log(line('Total', total));
  }
  if (problems.length > 0) {
    console.error(`check:asvs: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${shown}`);
    return 1;
  }
  if (!options.quiet) console.log(`check:asvs: ${rows.length} requirements, every named test and heading exists`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main();
}
