import { PGlite } from '@electric-sql/pglite';
let t0 = Date.now();
const a = new PGlite(); await a.waitReady; console.log('first', Date.now() - t0);
t0 = Date.now();
const b = new PGlite(); await b.waitReady; console.log('second', Date.now() - t0);
const dump = await b.dumpDataDir('none'); console.log('dump size', dump.size);
t0 = Date.now();
const c = new PGlite({ loadDataDir: dump }); await c.waitReady; console.log('from dump', Date.now() - t0);
