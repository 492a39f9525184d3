import fs from 'node:fs';
import path from 'node:path';
import { looseModeProblem } from './secret-files';

/** PEM files (absolute paths) for the Redis TLS connection; unset ones fall back to Node's defaults. */
export interface RedisTlsFiles {
  /** The CA that signed Redis's server certificate; null: the system's trusted CAs. */
  caFile: string | null;
  /** A client certificate and its key (Redis `tls-auth-clients yes`), or null: none presented. */
  certFile: string | null;
  keyFile: string | null;
}

interface RedisTlsSettings {
  REDIS_URL?: string;
  OPTARE_REDIS_TLS_CA?: string;
  OPTARE_REDIS_TLS_CERT?: string;
  OPTARE_REDIS_TLS_KEY?: string;
}

/**
 * Redis can authenticate Optare by a client certificate instead of a password (ASVS 13.2.1):
 * the files are checked at start, so a wrong path or a key readable by others (in production)
 * is a configuration error naming the variable, not a failed connection later.
 */
export function resolveRedisTls(
  settings: RedisTlsSettings,
  { production, cwd }: { production: boolean; cwd: string },
  problems: string[],
): RedisTlsFiles | null {
  const { OPTARE_REDIS_TLS_CA: ca, OPTARE_REDIS_TLS_CERT: cert, OPTARE_REDIS_TLS_KEY: key } = settings;
  if (!ca && !cert && !key) return null;
  const before = problems.length;
  if (!settings.REDIS_URL?.startsWith('rediss://')) {
    problems.push('OPTARE_REDIS_TLS_CA, OPTARE_REDIS_TLS_CERT, OPTARE_REDIS_TLS_KEY: need a rediss:// (TLS) REDIS_URL');
  }
  if (Boolean(cert) !== Boolean(key)) {
    problems.push('OPTARE_REDIS_TLS_CERT and OPTARE_REDIS_TLS_KEY: set both (the client certificate and its private key) or neither');
  }
  const check = (variable: string, value: string | undefined, secret: boolean): string | null => {
    if (!value) return null;
    const file = path.resolve(cwd, value);
    try {
      const stat = fs.statSync(file);
      fs.accessSync(file, fs.constants.R_OK);
      const loose = production && secret ? looseModeProblem(file, stat) : null;
      if (loose) problems.push(`${variable}: ${loose}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(`${variable}: ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`);
    }
    return file;
  };
  const files = {
    caFile: check('OPTARE_REDIS_TLS_CA', ca, false),
    certFile: check('OPTARE_REDIS_TLS_CERT', cert, false),
    keyFile: check('OPTARE_REDIS_TLS_KEY', key, true),
  };
  return problems.length > before ? null : files;
}
