import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './unavailable';

describe('isDatabaseUnavailable', () => {
  it('recognises an unreachable or restarting database in Prisma’s, pg’s and Node’s errors', () => {
    expect(isDatabaseUnavailable({ code: 'P1001' })).toBe(true);
    expect(isDatabaseUnavailable({ code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } })).toBe(true);
    expect(isDatabaseUnavailable({ code: '57P01', message: 'terminating connection due to administrator command' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '08006' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '57014', message: 'canceling statement due to statement timeout' })).toBe(true);
    // Prisma's wrapping of it (P2039 for a model query), the SQLSTATE kept in the adapter's cause.
    expect(isDatabaseUnavailable({ code: 'P2039', meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57014' } } } })).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('outer', { cause: new Error('Connection terminated unexpectedly') }))).toBe(true);
    // pg-pool, past its connection timeout: opening a connection, and waiting for one to come free.
    expect(isDatabaseUnavailable(new Error('Connection terminated due to connection timeout'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('does not mistake bugs and bad data for an outage', () => {
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable({ code: 'P2002' })).toBe(false); // unique violation
    expect(isDatabaseUnavailable({ code: '22P02' })).toBe(false); // invalid text representation
    expect(isDatabaseUnavailable({ code: 'P2039', meta: { driverAdapterError: { cause: { kind: 'postgres', code: '23514' } } } })).toBe(false); // check violation
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable('P1001')).toBe(false);
  });
});
