import net from 'node:net';
import tls from 'node:tls';

/** What a server did with a slow client: its status line if it answered, and when it closed. */
export interface SlowClientOutcome {
  statusLine: string | null;
  closedAfterMs: number;
}

/**
 * Sends `first` on the socket as soon as it is open (for a TLS socket: once the handshake is
 * done), then `line` every `everyMs` until the server closes the connection; with no `line`,
 * sends nothing more and waits. Never finishes a request on its own.
 */
export function slowClient(socket: net.Socket, first: string, line: string | null = null, everyMs = 1_000): Promise<SlowClientOutcome> {
  const readyEvent = socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect';
  return new Promise((resolve) => {
    const started = performance.now();
    let received = '';
    let ticker: NodeJS.Timeout | undefined;
    socket.once(readyEvent, () => {
      if (first) socket.write(first);
      if (line !== null) ticker = setInterval(() => socket.writable && socket.write(line), everyMs);
    });
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {}); // a reset is also a close
    socket.on('close', () => {
      clearInterval(ticker);
      resolve({ statusLine: received ? received.split('\r\n')[0]! : null, closedAfterMs: performance.now() - started });
    });
  });
}

/** A request whose header lines never end: a new one every second. */
export const TRICKLED_HEADERS = ['GET /healthz HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: 1\r\n'] as const;

/** A POST whose headers are complete and whose declared 1,000-byte body comes a byte at a time. */
export const TRICKLED_BODY = [
  'POST /oauth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n',
  'a',
] as const;

/** One request answered, then the connection left open and silent. */
export const IDLE_AFTER_ONE_REQUEST = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n';
