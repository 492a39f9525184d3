import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { killAll, removeTempDirs, run, strongKey, tempDir } from './server';
import { ownPort } from './own-ports';
import { makeCertificate, type Certificate } from './tls';

test.afterEach(async () => {
  await killAll();
  removeTempDirs();
});

test.describe('bad TLS settings refuse to start, naming the variable', () => {
  const refusals: Array<{ title: string; env: (files: Certificate, other: Certificate, dir: string) => Record<string, string>; message: RegExp }> = [
    {
      title: 'OPTARE_TLS_CERT without OPTARE_TLS_KEY',
      env: (files) => ({ OPTARE_TLS_CERT: files.certFile }),
      message: /OPTARE_TLS_KEY: must be set with OPTARE_TLS_CERT/,
    },
    {
      title: 'an http:// issuer',
      env: (files) => ({ OPTARE_TLS_CERT: files.certFile, OPTARE_TLS_KEY: files.keyFile, OPTARE_ISSUER: 'http://localhost:3000' }),
      message: /OPTARE_ISSUER: must be an https:\/\/ URL when OPTARE_TLS_CERT and OPTARE_TLS_KEY are set/,
    },
    {
      title: 'a certificate file that does not exist',
      env: (files, _other, dir) => ({ OPTARE_TLS_CERT: `${dir}/missing.pem`, OPTARE_TLS_KEY: files.keyFile }),
      message: /OPTARE_TLS_CERT: cannot read .*missing\.pem \(ENOENT\)/,
    },
    {
      title: 'a key that belongs to another certificate',
      env: (files, other) => ({ OPTARE_TLS_CERT: files.certFile, OPTARE_TLS_KEY: other.keyFile }),
      message: /OPTARE_TLS_KEY: the private key in .* does not match the certificate in .* \(OPTARE_TLS_CERT\)/,
    },
    {
      title: 'a key file that holds a certificate',
      env: (files) => ({ OPTARE_TLS_CERT: files.certFile, OPTARE_TLS_KEY: files.certFile }),
      message: /OPTARE_TLS_KEY: .* does not hold an unencrypted PEM private key/,
    },
    {
      title: 'a certificate file that holds a key',
      env: (files) => ({ OPTARE_TLS_CERT: files.keyFile, OPTARE_TLS_KEY: files.keyFile }),
      message: /OPTARE_TLS_CERT: .* does not hold a PEM certificate/,
    },
  ];

  for (const refusal of refusals) {
    test(`with ${refusal.title}`, async () => {
      const files = makeCertificate();
      const other = makeCertificate();
      const dataDir = tempDir();
      const port = await ownPort();
      const result = await run(
        ['scripts/start.mjs'],
        {
          PORT: String(port),
          OPTARE_DATA_DIR: dataDir,
          OPTARE_ENCRYPTION_KEY: strongKey(),
          OPTARE_ISSUER: `https://localhost:${port}`,
          ...refusal.env(files, other, tempDir()),
        },
        30_000,
      );
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain('Optare cannot start');
      expect(result.stderr).toMatch(refusal.message);
      expect(result.stdout).not.toContain('Optare is ready');
      expect(fs.readdirSync(dataDir)).toEqual([]); // refused before the database was opened
      expect(result.stdout + result.stderr).not.toContain('PRIVATE KEY');
    });
  }
});
