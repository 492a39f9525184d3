import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LockOwner {
  pid: number;
  hostname: string;
  role: string;
  startedAt: string;
  /** Directory holding the PostgreSQL-protocol socket the owner serves the database on. */
  socketDir: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `The data directory ${dataDir} is in use by process ${owner.pid} (optare ${owner.role} on ${owner.hostname}, ` +
        `since ${owner.startedAt}). Only one Optare process may own an embedded database; stop that process, ` +
        `or point OPTARE_DATA_DIR at another directory.`,
    );
    this.name = 'DataDirLockedError';
  }
}

const LOCK_FILE = 'optare.lock';

export function lockFilePath(dataDir: string): string {
  return path.join(dataDir, LOCK_FILE);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live owner of the data directory, or null when it is free (a stale lock counts as free). */
export function readLockOwner(dataDir: string): LockOwner | null {
  let text: string;
  try {
    text = fs.readFileSync(lockFilePath(dataDir), 'utf8');
  } catch {
    return null;
  }
  let owner: LockOwner;
  try {
    owner = JSON.parse(text) as LockOwner;
  } catch {
    return null;
  }
  if (owner.hostname !== os.hostname()) return owner; // cannot check another host's process: assume it lives
  return isAlive(owner.pid) ? owner : null;
}

/**
 * Takes the data directory for this process, or throws DataDirLockedError naming the holder.
 * The lock file is created exclusively; a stale one (its process is gone) is replaced.
 */
export function acquireDataDirLock(dataDir: string, role: string, socketDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = lockFilePath(dataDir);
  const owner: LockOwner = {
    pid: process.pid,
    hostname: os.hostname(),
    role,
    startedAt: new Date().toISOString(),
    socketDir,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          const current = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
          if (current.pid === process.pid) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLockOwner(dataDir);
      if (holder) throw new DataDirLockedError(dataDir, holder);
      removeIfStillStale(file);
    }
  }
  throw new Error(`Could not take the lock ${file}; another process keeps replacing it`);
}

function removeIfStillStale(file: string): void {
  // Rename first so that two processes cleaning the same stale lock cannot delete a fresh one.
  const tomb = `${file}.stale-${process.pid}`;
  try {
    fs.renameSync(file, tomb);
  } catch {
    return;
  }
  try {
    const moved = JSON.parse(fs.readFileSync(tomb, 'utf8')) as LockOwner;
    if (moved.hostname === os.hostname() && isAlive(moved.pid)) {
      // A live lock was created between our check and the rename: put it back.
      fs.renameSync(tomb, file);
      return;
    }
  } catch {
    // unreadable: treat as stale
  }
  fs.rmSync(tomb, { force: true });
}
