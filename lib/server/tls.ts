import 'server-only';
import fs from 'node:fs';
import tls from 'node:tls';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { TlsSettings } from '../config';

/** TLS 1.3 only: a client that cannot speak it fails the handshake. */
export const TLS_MIN_VERSION = 'TLSv1.3';

/** How often the certificate files are checked for a change; a change is applied once stable. */
export const TLS_RELOAD_INTERVAL_MS = 2_000;

/** A problem with the certificate or key files; the message names the setting to fix. */
export class TlsFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsFilesError';
  }
}

export interface CertificatePair {
  /** For https.createServer and server.setSecureContext. */
  options: tls.SecureContextOptions & { cert: Buffer; key: Buffer };
  /** The first (leaf) certificate of OPTARE_TLS_CERT. */
  certificate: X509Certificate;
  /** Every certificate in OPTARE_TLS_CERT, the leaf first (then the intermediates, if the file has them). */
  chain: X509Certificate[];
}

/**
 * Reads OPTARE_TLS_CERT and OPTARE_TLS_KEY and checks that they are a PEM certificate (chain)
 * and the unencrypted PEM private key that belongs to it. Messages name the files and settings,
 * never their contents.
 */
export function loadCertificatePair(settings: TlsSettings): CertificatePair {
  const cert = readFile(settings.certFile, 'OPTARE_TLS_CERT');
  const key = readFile(settings.keyFile, 'OPTARE_TLS_KEY');
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) {
    throw new TlsFilesError(`OPTARE_TLS_CERT: ${settings.certFile} does not hold a PEM certificate`);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new TlsFilesError(`OPTARE_TLS_CERT: ${settings.certFile} does not hold a valid PEM certificate`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key, format: 'pem' });
  } catch {
    throw new TlsFilesError(`OPTARE_TLS_KEY: ${settings.keyFile} does not hold an unencrypted PEM private key`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsFilesError(
      `OPTARE_TLS_KEY: the private key in ${settings.keyFile} does not match the certificate in ${settings.certFile} (OPTARE_TLS_CERT)`,
    );
  }
  const options = { cert, key, minVersion: TLS_MIN_VERSION } as const;
  try {
    tls.createSecureContext(options);
  } catch (error) {
    // OpenSSL's reason (e.g. a key too weak for its security level), never the key itself.
    throw new TlsFilesError(`OPTARE_TLS_CERT: OpenSSL refused the certificate and key: ${(error as Error).message}`);
  }
  return { options, certificate, chain: [certificate, ...intermediatesIn(cert)] };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** The certificates after the first in a PEM file; one that does not parse is left out (OpenSSL judged the file). */
function intermediatesIn(pem: Buffer): X509Certificate[] {
  return (pem.toString('latin1').match(PEM_CERTIFICATE) ?? []).slice(1).flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}

function readFile(file: string, variable: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TlsFilesError(`${variable}: cannot read ${file} (${code})`);
  }
}

/** Public facts about a certificate, for logs. */
export function describeCertificate(certificate: X509Certificate) {
  return {
    subject: certificate.subject.replace(/\n/g, ', '),
    validTo: new Date(certificate.validTo).toISOString(),
    fingerprint256: certificate.fingerprint256,
  };
}

/**
 * What an operator should know about a certificate that still lets Optare start. `roots`: the
 * trust anchors the chain is checked against, by default Node's bundled public (Mozilla) store.
 */
export function certificateWarnings(
  pair: Pick<CertificatePair, 'certificate' | 'chain'>,
  issuer: string,
  now = new Date(),
  roots: readonly string[] = tls.rootCertificates,
): string[] {
  const { certificate } = pair;
  const warnings: string[] = [];
  if (new Date(certificate.validTo) <= now) warnings.push(`the certificate in OPTARE_TLS_CERT expired on ${certificate.validTo}`);
  if (new Date(certificate.validFrom) > now) warnings.push(`the certificate in OPTARE_TLS_CERT is not valid before ${certificate.validFrom}`);
  const hostname = new URL(issuer).hostname.replace(/^\[(.*)\]$/, '$1');
  const covered = /^[0-9.]+$|:/.test(hostname) ? certificate.checkIP(hostname) : certificate.checkHost(hostname);
  if (!covered) warnings.push(`the certificate in OPTARE_TLS_CERT does not cover the issuer's host ${hostname}`);
  if (!chainsToTrustedRoot(pair.chain, roots)) {
    warnings.push(
      'the certificate in OPTARE_TLS_CERT does not chain to a publicly trusted root certificate: browsers and apps will refuse it ' +
        'unless they were told to trust its issuer (use a certificate from a public CA, and put its intermediate certificates in the file after it)',
    );
  }
  return warnings;
}

/** At most this many certificates between the leaf and a root: a bound on a file of looping issuers. */
const MAX_CHAIN_LENGTH = 10;

/**
 * True when `chain[0]` is, or leads through certificates of `chain` (each issued and signed by the
 * next), to a certificate that one of `roots` (PEM) issued and signed. The same walk a client
 * makes, minus expiry and name checks, which certificateWarnings makes on the leaf.
 */
export function chainsToTrustedRoot(chain: readonly X509Certificate[], roots: readonly string[]): boolean {
  const anchors = trustAnchors(roots);
  const issuedBy = (child: X509Certificate, parent: X509Certificate) => child.checkIssued(parent) && child.verify(parent.publicKey);
  const remaining = chain.slice(1);
  let current = chain[0];
  for (let depth = 0; current && depth < MAX_CHAIN_LENGTH; depth += 1) {
    const here = current;
    if (anchors.some((anchor) => anchor.fingerprint256 === here.fingerprint256 || issuedBy(here, anchor))) return true;
    const index = remaining.findIndex((candidate) => issuedBy(here, candidate));
    if (index === -1) return false;
    [current] = remaining.splice(index, 1);
  }
  return false;
}

let parsedRoots: { source: readonly string[]; anchors: X509Certificate[] } | null = null;

/** The roots parsed once per store (Node's has about 150). */
function trustAnchors(roots: readonly string[]): X509Certificate[] {
  if (parsedRoots?.source !== roots) parsedRoots = { source: roots, anchors: roots.map((pem) => new X509Certificate(pem)) };
  return parsedRoots.anchors;
}

export interface CertificateWatcher {
  stop(): void;
}

/**
 * Applies a replaced certificate and key without a restart. Every `intervalMs` it stats both
 * files (following symlinks, so a swapped Kubernetes secret or certbot's live/ links count); a
 * change is loaded once the files have stayed the same for one more interval, so a pair
 * written one file at a time is read whole. A pair that fails to load is reported and the
 * current one stays in use; the next change is tried again.
 */
export function watchCertificatePair(
  settings: TlsSettings,
  current: CertificatePair,
  handlers: { onReload: (pair: CertificatePair) => void; onError: (error: Error) => void },
  intervalMs = TLS_RELOAD_INTERVAL_MS,
): CertificateWatcher {
  let loaded = { signature: filesSignature(settings), pair: current };
  let pending: string | null = null;
  const timer = setInterval(() => {
    const signature = filesSignature(settings);
    if (signature === loaded.signature) {
      pending = null;
      return;
    }
    if (signature !== pending) {
      pending = signature; // changed: wait until it holds still
      return;
    }
    pending = null;
    let pair: CertificatePair;
    try {
      pair = loadCertificatePair(settings);
    } catch (error) {
      loaded = { ...loaded, signature }; // reported once; tried again after the next change
      handlers.onError(error as Error);
      return;
    }
    const same = pair.options.cert.equals(loaded.pair.options.cert) && pair.options.key.equals(loaded.pair.options.key);
    loaded = { signature, pair };
    if (!same) handlers.onReload(pair);
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function filesSignature(settings: TlsSettings): string {
  return [settings.certFile, settings.keyFile]
    .map((file) => {
      try {
        const stat = fs.statSync(file);
        return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
      } catch (error) {
        return `missing:${(error as NodeJS.ErrnoException).code ?? 'error'}`;
      }
    })
    .join('|');
}
