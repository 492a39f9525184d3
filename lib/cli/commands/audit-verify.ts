import 'server-only';
import { verifyAuditChain } from '../../audit/verify';
import { defineCommand } from '../command';

export const auditVerify = defineCommand({
  name: 'audit verify',
  summary: "Check the audit log's hash chain for tampering",
  synopsis: '[--json]',
  help:
    'Recomputes every audit event\'s hash in order and reports the first record that was edited,\n' +
    'deleted or inserted outside Optare. Exit code 1 when the chain is broken.',
  options: {},
  parseInput: () => undefined,
  async run() {
    const result = await verifyAuditChain();
    if (result.ok) return { ok: true, json: result, text: `Audit chain intact: ${result.events} event(s) verified` };
    const { seq, reason } = result.firstBroken;
    return { ok: false, json: result, message: `audit chain broken at seq ${seq}: ${reason}` };
  },
});
