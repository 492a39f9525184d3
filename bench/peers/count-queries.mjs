// Preloaded (`node --import`) into both servers by `BENCH_QUERIES=1 npm run bench:compare`:
// counts the SQL statements the process sends through `pg` (Prisma's adapter-pg and the peer's
// adapter both use it), by statement. On SIGUSR2 it writes the counts since the last signal to
// $BENCH_QUERY_DIR/<pid>-<n>.json (n = 1, 2, …) and starts again from zero.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

let counts = new Map();
let dumps = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  const text = typeof config === 'string' ? config : typeof config?.text === 'string' ? config.text : String(config);
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 160);
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return query.call(this, config, ...rest);
};

process.on('SIGUSR2', () => {
  dumps++;
  const file = path.join(process.env.BENCH_QUERY_DIR ?? '/tmp', `${process.pid}-${dumps}.json`);
  fs.writeFileSync(`${file}.part`, JSON.stringify(Object.fromEntries(counts)));
  fs.renameSync(`${file}.part`, file);
  counts = new Map();
});
