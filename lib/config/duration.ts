const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses "90", "90s", "15m", "8h" or "7d" into seconds; returns null for anything else. */
export function parseDurationSeconds(value: string): number | null {
  const match = /^(\d{1,9})([smhd]?)$/.exec(value.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = UNIT_SECONDS[match[2] || 's'] ?? 1;
  return amount * unit;
}
