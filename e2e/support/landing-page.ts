import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A relying party's redirect target: any path answers a small page saying the browser is back. */
export interface LandingPage {
  redirectUri: string;
  close(): Promise<void>;
}

export async function startLandingPage(): Promise<LandingPage> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>Relying party</title><h1>Back at the app</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
