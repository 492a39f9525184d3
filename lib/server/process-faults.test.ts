import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * The process-level last resort (lib/server/process-faults.ts), in a real Node process with the
 * real pino logger writing JSON lines to stdout, as lib/server/main.ts installs it.
 */
function runNode(body: string) {
  const script = `
    import pino from 'pino';
    import { installProcessFaultHandlers } from './lib/server/process-faults.ts';
    const log = pino({ base: { service: 'optare' } });
    installProcessFaultHandlers(log);
    ${body}
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 20_000 });
  const records = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { status: result.status, records, stdout: result.stdout };
}

describe('process-level fault handlers', () => {
  it('log an uncaught exception as fatal, without what the error carries besides its message, and exit 1 instead of running on in an unknown state', () => {
    const { status, records, stdout } = runNode(`
      setTimeout(() => {
        const error = new Error('the database went away');
        error.password = 'hunter2-secret';
        throw error;
      }, 0);
      setTimeout(() => console.log('STILL RUNNING'), 2000);
    `);
    expect(status).toBe(1);
    expect(stdout).not.toContain('STILL RUNNING');
    expect(stdout).not.toContain('hunter2-secret');
    const fatal = records.find((record) => record.msg === 'uncaught exception: exiting');
    expect(fatal).toMatchObject({ level: 60, origin: 'uncaughtException', error: { type: 'Error', message: 'the database went away' } });
  });

  it('log an unhandled rejection as an error and keep the server serving, without logging a thrown non-Error value', () => {
    const { status, records, stdout } = runNode(`
      Promise.reject(new TypeError('forgot to await'));
      Promise.reject('token-abc123');
      setTimeout(() => { console.log('STILL RUNNING'); process.exit(0); }, 300);
    `);
    expect(status).toBe(0);
    expect(stdout).toContain('STILL RUNNING');
    expect(stdout).not.toContain('token-abc123');
    const rejections = records.filter((record) => record.msg === 'unhandled promise rejection');
    expect(rejections).toHaveLength(2);
    expect(rejections[0]).toMatchObject({ level: 50, error: { type: 'TypeError', message: 'forgot to await' } });
    expect(rejections[1]).toMatchObject({ error: { type: 'string' } });
  });
});
