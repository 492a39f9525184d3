/**
 * The geometry of the dashboard's SVG charts, apart from their markup so it can be tested with
 * known data. Coordinates are SVG user units; values are counts (non-negative integers).
 */

/** The smallest 1, 2 or 5 × 10^k at least `max` (1 for an empty chart), so the axis reads well. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

/** The gridlines' values: 0, a quarter, half, three quarters and the top (whole numbers only). */
export function gridValues(top: number): number[] {
  const values = [0, top / 4, top / 2, (3 * top) / 4, top].filter((value) => Number.isInteger(value));
  return [...new Set(values)];
}

export interface PlotArea {
  /** The whole drawing. */
  width: number;
  height: number;
  /** Room for the y axis's labels on the left and the x axis's below. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

export interface BarSegment {
  /** The series it belongs to (index into the series). */
  series: number;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Column {
  index: number;
  total: number;
  /** The column's centre, for its label. */
  centre: number;
  segments: BarSegment[];
}

/**
 * Vertical bars, one column per entry of `columns`, each stacking its values bottom-up in series
 * order. Heights are proportional to `top` (niceMax of the tallest column); a zero draws nothing.
 */
export function stackedColumns(columns: readonly (readonly number[])[], area: PlotArea): { top: number; columns: Column[] } {
  const top = niceMax(Math.max(0, ...columns.map((values) => values.reduce((sum, value) => sum + value, 0))));
  const plotWidth = area.width - area.left - area.right;
  const plotHeight = area.height - area.top - area.bottom;
  const slot = columns.length > 0 ? plotWidth / columns.length : plotWidth;
  const barWidth = Math.max(1, slot * 0.7);
  const baseline = area.height - area.bottom;
  return {
    top,
    columns: columns.map((values, index) => {
      const x = area.left + index * slot + (slot - barWidth) / 2;
      let stacked = 0;
      const segments: BarSegment[] = [];
      values.forEach((value, series) => {
        if (value <= 0) return;
        const bottom = baseline - (stacked / top) * plotHeight;
        stacked += value;
        const y = baseline - (stacked / top) * plotHeight;
        segments.push({ series, value, x: round(x), y: round(y), width: round(barWidth), height: round(bottom - y) });
      });
      return { index, total: stacked, centre: round(area.left + index * slot + slot / 2), segments };
    }),
  };
}

/** The y coordinate of `value` on an axis from 0 to `top`. */
export function yOf(value: number, top: number, area: PlotArea): number {
  const plotHeight = area.height - area.top - area.bottom;
  return round(area.height - area.bottom - (value / top) * plotHeight);
}

export interface HorizontalBar {
  index: number;
  value: number;
  y: number;
  width: number;
  height: number;
}

/** Horizontal bars, one per value, as wide as the value over niceMax of the largest, in `rowHeight` rows. */
export function horizontalBars(values: readonly number[], plotWidth: number, rowHeight: number): { top: number; bars: HorizontalBar[] } {
  const top = niceMax(Math.max(0, ...values));
  return {
    top,
    bars: values.map((value, index) => ({
      index,
      value,
      y: round(index * rowHeight + rowHeight * 0.15),
      width: round((Math.max(0, value) / top) * plotWidth),
      height: round(rowHeight * 0.7),
    })),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** 1234 → "1,234": one format for every figure on the dashboard. */
export function formatCount(value: number): string {
  return new Intl.NumberFormat('en-GB').format(value);
}

/** "2026-11-03" → "3 Nov". */
export function shortDay(day: string): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date);
}
