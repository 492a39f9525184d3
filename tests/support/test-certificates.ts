import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export const OPENSSL = '/usr/bin/openssl';

export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
}

/**
 * A throwaway certificate authority in `dir` (made with the system's openssl, P-256 keys): it
 * issues server certificates for 127.0.0.1/localhost and client certificates with a chosen CN.
 */
export interface TestAuthority {
  caFile: string;
  server(name: string): IssuedCertificate;
  client(commonName: string): IssuedCertificate;
}

export function createTestAuthority(dir: string): TestAuthority {
  if (!fs.existsSync(OPENSSL)) throw new Error(`This test makes certificates with ${OPENSSL}: install openssl`);
  const run = (args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
  const newKey = (file: string) => run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
  const caFile = path.join(dir, 'ca.crt');
  const caKey = path.join(dir, 'ca.key');
  newKey(caKey);
  run(['req', '-x509', '-new', '-key', caKey, '-subj', '/CN=Optare test CA', '-days', '2', '-out', caFile]);

  const issue = (name: string, subject: string, extensions: string): IssuedCertificate => {
    const keyFile = path.join(dir, `${name}.key`);
    const csr = path.join(dir, `${name}.csr`);
    const ext = path.join(dir, `${name}.ext`);
    const certFile = path.join(dir, `${name}.crt`);
    newKey(keyFile);
    fs.chmodSync(keyFile, 0o600);
    fs.writeFileSync(ext, extensions);
    run(['req', '-new', '-key', keyFile, '-subj', subject, '-out', csr]);
    run(['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', certFile]);
    return { certFile, keyFile };
  };
  return {
    caFile,
    server: (name) => issue(name, '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'),
    client: (commonName) => issue(`client-${commonName}`, `/CN=${commonName}`, 'extendedKeyUsage=clientAuth\n'),
  };
}
