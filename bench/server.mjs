// Starts a production Optare server for a benchmark and stops it afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { npmStartCommand } from '../scripts/npm-start.mjs';

/** What `npm start` sets (package.json "start"): its environment variables and node flags. */
const NPM_START = npmStartCommand();

/** `env` adds to or overrides the settings below; a value of undefined removes a variable. */
export async function startServer({ port, databaseUrl, env: overrides = {} }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-bench-'));
  const env = {
    ...process.env,
    PORT: String(port),
    OPTARE_DATA_DIR: dataDir,
    OPTARE_SKIP_BUILD: '1',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    // The limits stay on (each request is counted, as in production) but high enough that a
    // benchmark's single client and address are never refused.
    OPTARE_RATE_LIMIT_TOKEN: '100000000/1m',
    OPTARE_RATE_LIMIT_INTROSPECTION: '100000000/1m',
    OPTARE_RATE_LIMIT_REVOCATION: '100000000/1m',
    OPTARE_RATE_LIMIT_SIGN_UP_IP: '100000000/1h',
    OPTARE_RATE_LIMIT_SIGN_IN_IP: '100000000/1h',
    OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT_IP: '100000000/1h',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  if (!databaseUrl) delete env.DATABASE_URL;
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  // The process settings of `npm start` (package.json), so the benchmark measures what runs in production.
  for (const [name, value] of Object.entries(NPM_START.env)) env[name] ??= value;
  const nodeArgs = [...NPM_START.nodeArgs, ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [])];
  const child = spawn(process.execPath, [...nodeArgs, NPM_START.script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  // Bound to one IPv4 address (OPTARE_HOST), the server is reached there; else as localhost.
  const base = `http://${/^[\d.]+$/.test(env.OPTARE_HOST ?? '') && env.OPTARE_HOST !== '0.0.0.0' ? env.OPTARE_HOST : 'localhost'}:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${stderr}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not become ready: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    base,
    pid: child.pid,
    env,
    /** Runs the CLI against this server's database; returns its parsed --json output. */
    cli(args) {
      const result = spawnSync(process.execPath, ['scripts/optare.mjs', ...args, '--json'], { env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`optare ${args.join(' ')} failed: ${result.stderr}`);
      return JSON.parse(result.stdout);
    },
    /** Why the server stopped on its own ("exit code 1", "signal SIGKILL"), or null while it runs. */
    get exitStatus() {
      if (child.exitCode !== null) return `exit code ${child.exitCode}`;
      return child.signalCode !== null ? `signal ${child.signalCode}` : null;
    },
    /** What the server wrote to stderr so far. */
    get stderr() {
      return stderr;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Peak resident memory of a process so far (Linux), in MiB. */
export function peakRssMiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}
