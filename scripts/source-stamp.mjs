import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

/**
 * A fingerprint of source files and directories: every file's path, size and modification time.
 * Directories named in `skip` are not entered.
 */
export function sourceStamp(sources, skip = new Set()) {
  const hash = createHash('sha256');
  const visit = (entry) => {
    if (!fs.existsSync(entry)) return;
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) {
      for (const child of fs.readdirSync(entry).sort()) if (!skip.has(child)) visit(path.join(entry, child));
    } else {
      hash.update(`${entry}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  sources.forEach(visit);
  return hash.digest('hex');
}
