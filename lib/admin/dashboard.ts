import 'server-only';
import { getConfig } from '../config';
import {
  countActiveSessions,
  countSecondFactorAdoption,
  countSignInsByDay,
  listActiveApiKeys,
  listAdminsWithFactorState,
  listClientsWithoutPkce,
} from '../db/dashboard';
import { findActiveSigningKeyAges } from '../db/signing-keys';
import { topClientsByTokens, type ClientTokenTotal } from '../db/token-counts';
import { securityWarnings, type SecurityWarning } from './security-check';

/** How far back the dashboard's daily charts go. */
export const DASHBOARD_DAYS = 30;
/** How many clients the tokens chart names. */
export const TOP_CLIENTS = 10;

const DAY_MS = 86_400_000;

export interface DailySignIns {
  /** YYYY-MM-DD, UTC. */
  day: string;
  successes: number;
  failures: number;
}

export interface DashboardData {
  /** The last DASHBOARD_DAYS UTC days, oldest first, today last; days without sign-ins count 0. */
  signIns: DailySignIns[];
  mfa: { users: number; withSecondFactor: number };
  sessions: { active: number; byDay: { day: string; count: number }[] };
  /** The TOP_CLIENTS clients issued the most tokens over the same days, most first. */
  tokens: ClientTokenTotal[];
  warnings: SecurityWarning[];
  /** The first day charted. */
  since: string;
  generatedAt: Date;
}

/** The UTC day of `date`, YYYY-MM-DD. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The `count` UTC days ending with the day of `now`, oldest first. */
export function lastDays(now: Date, count: number): string[] {
  const today = Math.floor(now.getTime() / DAY_MS);
  return Array.from({ length: count }, (_, index) => utcDay(new Date((today - count + 1 + index) * DAY_MS)));
}

/** One entry per day in `days`, from rows that may miss days (0) or hold days outside them (ignored). */
export function perDay<Row extends { day: string }, T>(days: readonly string[], rows: readonly Row[], pick: (rows: Row[]) => T): Array<{ day: string } & T> {
  const byDay = new Map<string, Row[]>();
  for (const row of rows) {
    const list = byDay.get(row.day);
    if (list) list.push(row);
    else byDay.set(row.day, [row]);
  }
  return days.map((day) => ({ day, ...pick(byDay.get(day) ?? []) }));
}

/** Sign-in counts per day and outcome as DailySignIns over `days`. */
export function dailySignIns(days: readonly string[], rows: readonly { day: string; outcome: string; count: number }[]): DailySignIns[] {
  return perDay(days, rows, (counts) => {
    const sum = (outcome: string) => counts.filter((row) => row.outcome === outcome).reduce((total, row) => total + row.count, 0);
    return { successes: sum('success'), failures: sum('failure') };
  });
}

/**
 * Everything the dashboard shows, read in parallel: each figure is one indexed query (the audit
 * events of DASHBOARD_DAYS days by (type, created_at); the token counts from
 * token_issuance_counts, which lib/metrics/token-issuance.ts fills every 10 seconds).
 */
export async function dashboardData(now = new Date()): Promise<DashboardData> {
  const days = lastDays(now, DASHBOARD_DAYS);
  const since = new Date(`${days[0]}T00:00:00.000Z`);
  const config = getConfig();
  const [signIns, mfa, sessions, tokens, admins, apiKeys, signingKeys, relaxedClients] = await Promise.all([
    countSignInsByDay(since),
    countSecondFactorAdoption(),
    countActiveSessions(now, since),
    topClientsByTokens(days[0]!, TOP_CLIENTS),
    listAdminsWithFactorState(),
    listActiveApiKeys(now),
    findActiveSigningKeyAges(),
    // OPTARE_PKCE=always: a client's requirePkce off no longer lets it skip PKCE.
    config.pkce === 'always' ? [] : listClientsWithoutPkce(),
  ]);
  const warnings = securityWarnings({
    admins,
    activeApiKeys: apiKeys,
    apiKeyRotationAgeSeconds: config.admin.apiKeyRotationAgeSeconds,
    activeSigningKeys: signingKeys,
    defaultSigningAlg: config.defaultSigningAlg,
    signingKeyRotationSeconds: config.signingKeyRotationSeconds,
    issuer: config.issuer,
    production: config.production,
    encryptionKeySource: config.encryption.source,
    clientsWithoutPkce: relaxedClients,
    now,
  });
  return {
    signIns: dailySignIns(days, signIns),
    mfa,
    sessions: {
      active: sessions.total,
      byDay: perDay(days, sessions.byDay, (rows) => ({ count: rows.reduce((total, row) => total + row.count, 0) })),
    },
    tokens,
    warnings,
    since: days[0]!,
    generatedAt: now,
  };
}
