// `node bench/signing-floor.mjs`: the fastest a bare node:http server issues RS256 tokens on this
// machine. Its only work per request is reading the body and one RS256 signature with node:crypto
// on libuv's pool (as Optare signs): no database, no client authentication, no log line. It shows
// how much of the all-cores signing ceiling HTTP plus signing leave reachable with autocannon on
// the same cores. BENCH_CONNECTIONS (50) and BENCH_SECONDS (8) as for the other benchmarks.
import http from 'node:http';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import autocannon from 'autocannon';
import { ceilingLine, measureCeiling, percentOf } from './ceiling.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'floor' })).toString('base64url');

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'http://127.0.0.1', sub: 'bench', aud: 'bench', client_id: 'bench', scope: 'profile', jti: randomUUID(), iat: now, exp: now + 3600 };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    sign('sha256', Buffer.from(input), privateKey, (error, signature) => {
      if (error) throw error;
      const body = JSON.stringify({ access_token: `${input}.${signature.toString('base64url')}`, token_type: 'Bearer', expires_in: 3600, scope: 'profile' });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
try {
  const ceiling = await measureCeiling();
  const options = {
    url: `http://127.0.0.1:${server.address().port}/token`,
    connections: CONNECTIONS,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=profile',
  };
  await autocannon({ ...options, duration: 2 }); // warm-up
  const result = await autocannon({ ...options, duration: SECONDS });
  const rps = Math.round(result.requests.average);
  console.log(ceilingLine(ceiling));
  console.log(
    `bare server: ${rps} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}; ` +
      `${percentOf(ceiling.nodeCrypto, rps)}% of one thread, ${percentOf(ceiling.webCrypto, rps)}% of all cores`,
  );
} finally {
  server.close();
}
