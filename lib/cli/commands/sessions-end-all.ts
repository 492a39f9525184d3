import 'server-only';
import { endAllSessions } from '../../admin/end-all-sessions';
import { cliAuditContext } from '../audit-context';
import { defineCommand, requireString } from '../command';

export const sessionsEndAll = defineCommand({
  name: 'sessions end-all',
  summary: 'End every user’s sessions (everyone signs in again)',
  synopsis: '--reason TEXT [--json]',
  help:
    'Ends every session of every user, every unfinished sign-in and every remembered browser, e.g. after a suspected leak of session cookies. ' +
    'Apps’ grants and their refresh tokens are not revoked. The reason is recorded in the audit log (sessions.ended_all).',
  options: { reason: { type: 'string' } },
  parseInput: (values) => ({ reason: requireString(values, 'reason') }),
  async run({ reason }) {
    const result = await endAllSessions({ kind: 'cli', context: cliAuditContext() }, { reason });
    if (!result.ok) {
      const message = `--reason: ${Object.values(result.fieldErrors).flat()[0] ?? 'the reason is not valid'}`;
      return { ok: false, json: { ok: false, error: 'invalid_request', fieldErrors: result.fieldErrors }, message };
    }
    const { sessionsEnded, pendingSignInsEnded, trustedDevicesForgotten } = result.ended;
    return {
      ok: true,
      json: { ok: true, ...result.ended },
      text: `Ended ${sessionsEnded} session(s) and ${pendingSignInsEnded} unfinished sign-in(s); forgot ${trustedDevicesForgotten} remembered browser(s)`,
    };
  },
});
