import net from 'node:net';
import { expect, test } from './pages/fixtures';

/**
 * ASVS 4.2.1: the server finds one message boundary per request. A request whose framing is
 * ambiguous (Content-Length with Transfer-Encoding, two different lengths, an obfuscated
 * Transfer-Encoding) is refused with 400 and the connection closed, so that a body crafted to
 * look like a second request is never answered as one.
 */

/** Writes raw bytes to the server under test and collects everything it answers until it closes. */
function exchange(baseURL: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname);
    let received = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no close within 10s; received: ${received}`)));
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(raw);
  });
}

// The smuggled request: if the server took the body as a second request, it would answer it (200 JSON).
const SMUGGLED = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n';
const BODY = `0\r\n\r\n${SMUGGLED}`;

const AMBIGUOUS: [string, string][] = [
  ['Content-Length and Transfer-Encoding', `Content-Length: ${BODY.length}\r\nTransfer-Encoding: chunked\r\n`],
  ['Transfer-Encoding before Content-Length', `Transfer-Encoding: chunked\r\nContent-Length: 4\r\n`],
  ['two different Content-Length values', `Content-Length: 5\r\nContent-Length: ${BODY.length}\r\n`],
  ['an obfuscated Transfer-Encoding', `Transfer-Encoding : chunked\r\nContent-Length: ${BODY.length}\r\n`],
  ['a Transfer-Encoding that does not end in chunked', `Transfer-Encoding: chunked, identity\r\nContent-Length: ${BODY.length}\r\n`],
];

test.describe('request smuggling', () => {
  test('a well-framed request followed by a pipelined one gets two answers (the control)', async ({ baseURL }) => {
    const received = await exchange(baseURL!, `GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    // Not anchored to a line start: a JSON body without a final newline runs into the next status line.
    expect(received.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
  });

  for (const [what, framing] of AMBIGUOUS) {
    test(`a request with ${what} is refused with 400 and its body is not answered as a request`, async ({ baseURL }) => {
      const received = await exchange(baseURL!, `POST /api/auth/sign-in HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${framing}\r\n${BODY}`);
      expect(received).toMatch(/^HTTP\/1\.1 400 /);
      expect(received.match(/HTTP\/1\.1 \d{3} /g)).toHaveLength(1);
      expect(received).not.toMatch(/HTTP\/1\.1 200 /);
    });
  }
});
