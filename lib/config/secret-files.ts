import fs from 'node:fs';
import path from 'node:path';

/**
 * The settings that hold secrets, each of which can instead be read from a file named by
 * `<NAME>_FILE` (ASVS 13.3.1): Docker and Kubernetes secrets, Vault Agent templates. The file
 * is read once, at start; surrounding whitespace (the trailing newline editors add) is dropped.
 */
export const SECRET_SETTINGS = [
  'OPTARE_ENCRYPTION_KEY',
  'OPTARE_ENCRYPTION_KEYS_OLD',
  'DATABASE_URL',
  'REDIS_URL',
  'SMTP_URL',
] as const;

export interface SecretFilesResult {
  /** The environment with every `<NAME>_FILE` replaced by `<NAME>` holding the file's content. */
  env: Record<string, string | undefined>;
  problems: string[];
}

/**
 * Reads the `<NAME>_FILE` secrets. In production a secret file that the group or others may
 * read is refused, as libpq and OpenSSH refuse such key files: anyone else on the machine could
 * read it.
 */
export function readSecretFiles(
  env: Record<string, string | undefined>,
  { production, cwd }: { production: boolean; cwd: string },
): SecretFilesResult {
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const fileVariable = `${name}_FILE`;
    const file = env[fileVariable];
    delete resolved[fileVariable];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name} and ${fileVariable}: both are set; set one or the other`);
      continue;
    }
    const result = readSecretFile(path.resolve(cwd, file), production);
    if ('problem' in result) problems.push(`${fileVariable}: ${result.problem}`);
    else resolved[name] = result.value;
  }
  return { env: resolved, problems };
}

function readSecretFile(file: string, production: boolean): { value: string } | { problem: string } {
  let stat: fs.Stats;
  let text: string;
  try {
    stat = fs.statSync(file);
    if (!stat.isFile()) return { problem: `${file} is not a file` };
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: `${file} does not exist` };
    if (code === 'EACCES') return { problem: `${file} cannot be read by this user (permission denied)` };
    return { problem: `${file} cannot be read (${code ?? (error as Error).message})` };
  }
  const loose = production ? looseModeProblem(file, stat) : null;
  if (loose) return { problem: loose };
  const value = text.trim();
  if (value === '') return { problem: `${file} is empty` };
  return { value };
}

/** Null when only the owner may read `file`; otherwise what is wrong and how to fix it. */
export function looseModeProblem(file: string, stat: fs.Stats): string | null {
  if ((stat.mode & 0o077) === 0) return null;
  const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
  return `${file} may be read by group or others (mode ${mode}); make it readable by Optare's user only: chmod 600 (or 400) it, or mount the secret with mode 0400`;
}
