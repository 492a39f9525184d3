import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsSettings } from '../config';
import { createTestAuthority, OPENSSL } from '../../tests/support/test-certificates';
import { certificateWarnings, chainsToTrustedRoot, loadCertificatePair } from './tls';

/**
 * ASVS 12.2.2: Optare warns, at start and on every reload, when its certificate does not chain to
 * a publicly trusted root (Node's bundled store), e.g. a self-signed or private-CA certificate that
 * browsers and apps would refuse. The store is a parameter so a private root can stand in for it.
 */

const ISSUER = 'https://localhost:8443';
const UNTRUSTED = /does not chain to a publicly trusted root certificate/;

let dir: string;
const run = (args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
const pem = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
const load = (certFile: string, keyFile: string) => loadCertificatePair({ certFile, keyFile } as TlsSettings);

/** root → intermediate → leaf for localhost, each with its own P-256 key. */
function privateChain() {
  const key = (name: string) => run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
  key('root');
  run(['req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=Private Root', '-days', '2', '-out', 'root.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  key('intermediate');
  run(['req', '-new', '-key', 'intermediate.key', '-subj', '/CN=Private Intermediate', '-out', 'intermediate.csr']);
  fs.writeFileSync(path.join(dir, 'intermediate.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n');
  run(['x509', '-req', '-in', 'intermediate.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'intermediate.ext', '-out', 'intermediate.crt']);
  key('leaf');
  run(['req', '-new', '-key', 'leaf.key', '-subj', '/CN=localhost', '-out', 'leaf.csr']);
  fs.writeFileSync(path.join(dir, 'leaf.ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'intermediate.crt', '-CAkey', 'intermediate.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'leaf.ext', '-out', 'leaf.crt']);
  fs.writeFileSync(path.join(dir, 'fullchain.crt'), pem('leaf.crt') + pem('intermediate.crt'));
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-tls-trust-'));
  privateChain();
  // A self-signed certificate, as the TLS system tests make them (e2e/system/tls.ts).
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.crt', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost']);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('untrusted TLS certificate warning (ASVS 12.2.2)', () => {
  it('warns when a self-signed certificate does not chain to a root in the public store, and only about that', () => {
    const pair = load(path.join(dir, 'self.crt'), path.join(dir, 'self.key'));
    expect(pair.chain).toHaveLength(1);
    const warnings = certificateWarnings(pair, ISSUER);
    expect(warnings).toEqual([expect.stringMatching(UNTRUSTED)]);
    // Named, never dumped: no PEM in the message.
    expect(warnings[0]).not.toContain('BEGIN');
  });

  it('warns for a certificate from a private CA, and for the test CA the other TLS tests use, under the public store', () => {
    const authority = createTestAuthority(dir);
    const issued = authority.server('server');
    expect(certificateWarnings(load(issued.certFile, issued.keyFile), ISSUER)).toEqual([expect.stringMatching(UNTRUSTED)]);
    expect(certificateWarnings(load(path.join(dir, 'fullchain.crt'), path.join(dir, 'leaf.key')), ISSUER)).toEqual([
      expect.stringMatching(UNTRUSTED),
    ]);
  });

  it('accepts a chain that leads through the intermediates in the file to a root in the supplied store', () => {
    const pair = load(path.join(dir, 'fullchain.crt'), path.join(dir, 'leaf.key'));
    expect(pair.chain.map((certificate) => certificate.subject)).toEqual(['CN=localhost', 'CN=Private Intermediate']);
    expect(certificateWarnings(pair, ISSUER, new Date(), [pem('root.crt')])).toEqual([]);
    // The root itself configured as the certificate is trusted too.
    expect(chainsToTrustedRoot([new X509Certificate(pem('root.crt'))], [pem('root.crt')])).toBe(true);
  });

  it('warns when the intermediate is missing from the file, or the chain leads to another root', () => {
    const leafOnly = load(path.join(dir, 'leaf.crt'), path.join(dir, 'leaf.key'));
    expect(certificateWarnings(leafOnly, ISSUER, new Date(), [pem('root.crt')])).toEqual([expect.stringMatching(UNTRUSTED)]);
    const fullChain = load(path.join(dir, 'fullchain.crt'), path.join(dir, 'leaf.key'));
    const otherRoot = pem('self.crt');
    expect(certificateWarnings(fullChain, ISSUER, new Date(), [otherRoot])).toEqual([expect.stringMatching(UNTRUSTED)]);
  });

  it('does not take a certificate that merely names a trusted issuer: the signature must verify', () => {
    // Same subject as the real intermediate, another key: checkIssued matches names, verify() refuses it.
    run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'impostor.key']);
    run(['req', '-x509', '-new', '-key', 'impostor.key', '-subj', '/CN=Private Intermediate', '-days', '2', '-out', 'impostor.crt',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    const leaf = new X509Certificate(pem('leaf.crt'));
    expect(chainsToTrustedRoot([leaf, new X509Certificate(pem('impostor.crt'))], [pem('impostor.crt')])).toBe(false);
    expect(chainsToTrustedRoot([leaf, new X509Certificate(pem('intermediate.crt'))], [pem('root.crt')])).toBe(true);
  });
});
