import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../../lib/audit/events';

export function testContext(overrides: Partial<AuditContext> = {}): AuditContext {
  return { ip: '203.0.113.7', userAgent: 'vitest', requestId: randomUUID(), ...overrides };
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${counter}.${randomUUID().slice(0, 8)}@example.com`;
}

export const GOOD_PASSWORD = 'correct horse battery staple';
