import fs from 'node:fs';
import path from 'node:path';
import { looseModeProblem } from './secret-files';

const FILE_PARAMETERS = ['sslcert', 'sslkey', 'sslrootcert'] as const;

/**
 * DATABASE_URL may authenticate with a client certificate instead of a password (ASVS 13.2.1):
 * node-postgres reads the files named by sslcert, sslkey and sslrootcert in the URL, as libpq
 * does. They are checked at start, so a wrong path is a configuration error naming the file
 * rather than a failed first query; and in production a private key that group or others may
 * read is refused, as libpq refuses it.
 */
export function databaseCertificateProblems(url: string, { production, cwd }: { production: boolean; cwd: string }): string[] {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return [];
  }
  const problems: string[] = [];
  if (params.has('sslcert') !== params.has('sslkey')) {
    problems.push('DATABASE_URL: sslcert and sslkey go together (the client certificate and its private key); set both or neither');
  }
  for (const parameter of FILE_PARAMETERS) {
    const value = params.get(parameter);
    if (!value) continue;
    const file = path.resolve(cwd, value);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
      fs.accessSync(file, fs.constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(`DATABASE_URL: the ${parameter} file ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`);
      continue;
    }
    const loose = production && parameter === 'sslkey' ? looseModeProblem(file, stat) : null;
    if (loose) problems.push(`DATABASE_URL: the sslkey file ${loose}`);
  }
  return problems;
}
