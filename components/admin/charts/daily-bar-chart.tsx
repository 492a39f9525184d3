import { formatCount, gridValues, shortDay, stackedColumns, yOf, type PlotArea } from './scale';

export interface ChartSeries {
  /** Plural noun phrase, e.g. "successful sign-ins". */
  label: string;
  /** The bars' fill (a Tailwind fill-* class) and the legend swatch's background. */
  fillClass: string;
  swatchClass: string;
  /** One value per day, in the order of `days`. */
  values: readonly number[];
}

/** `wide`: a whole row of the page; `narrow`: half of one (the same text size once scaled down). */
const LAYOUTS = {
  wide: { area: { width: 720, height: 220, left: 44, right: 14, top: 12, bottom: 28 } satisfies PlotArea, labelEvery: 5 },
  narrow: { area: { width: 400, height: 180, left: 36, right: 20, top: 10, bottom: 26 } satisfies PlotArea, labelEvery: 10 },
} as const;

/**
 * Counts per day as vertical bars, one stacked bar per day (series bottom-up in order). Rendered
 * on the server as SVG: no script, nothing for the CSP to refuse (presentation attributes and
 * classes, no inline styles). For assistive technology the SVG is one image with a <title> and a
 * <desc> stating the totals, each bar has a <title> with its numbers (also a tooltip), and the
 * same numbers are in a table below.
 */
export function DailyBarChart({
  id,
  title,
  days,
  series,
  size = 'wide',
}: {
  id: string;
  title: string;
  days: readonly string[];
  series: readonly ChartSeries[];
  size?: keyof typeof LAYOUTS;
}) {
  const { area, labelEvery } = LAYOUTS[size];
  const columns = days.map((_, index) => series.map((item) => item.values[index] ?? 0));
  const { top, columns: laidOut } = stackedColumns(columns, area);
  const totals = series.map((item) => item.values.reduce((sum, value) => sum + value, 0));
  const busiest = laidOut.reduce<{ index: number; total: number } | null>((best, column) => (column.total > (best?.total ?? 0) ? column : best), null);
  const summary =
    `${days.length} days from ${shortDay(days[0] ?? '')} to ${shortDay(days.at(-1) ?? '')}: ` +
    series.map((item, index) => `${formatCount(totals[index] ?? 0)} ${item.label}`).join(', ') +
    (busiest ? `; the busiest day was ${shortDay(days[busiest.index] ?? '')} with ${formatCount(busiest.total)}.` : '.');

  return (
    <figure className="space-y-3" data-chart={id}>
      <svg
        viewBox={`0 0 ${area.width} ${area.height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        className="h-auto w-full"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {gridValues(top).map((value) => (
          <g key={value}>
            <line x1={area.left} x2={area.width - area.right} y1={yOf(value, top, area)} y2={yOf(value, top, area)} className="stroke-slate-200" strokeWidth={1} />
            <text x={area.left - 6} y={yOf(value, top, area) + 4} textAnchor="end" className="fill-slate-500 text-[11px]">
              {formatCount(value)}
            </text>
          </g>
        ))}
        {laidOut.map((column) => (
          <g key={days[column.index]} data-day={days[column.index]} data-total={column.total}>
            {column.segments.map((segment) => (
              <rect
                key={segment.series}
                x={segment.x}
                y={segment.y}
                width={segment.width}
                height={segment.height}
                rx={1.5}
                className={series[segment.series]?.fillClass}
                data-series={segment.series}
                data-value={segment.value}
              >
                <title>{`${shortDay(days[column.index] ?? '')}: ${formatCount(segment.value)} ${series[segment.series]?.label ?? ''}`}</title>
              </rect>
            ))}
            {column.index % labelEvery === (days.length - 1) % labelEvery ? (
              <text x={column.centre} y={area.height - 8} textAnchor="middle" className="fill-slate-500 text-[11px]">
                {shortDay(days[column.index] ?? '')}
              </text>
            ) : null}
          </g>
        ))}
        <line x1={area.left} x2={area.width - area.right} y1={area.height - area.bottom} y2={area.height - area.bottom} className="stroke-slate-400" strokeWidth={1} />
      </svg>
      <figcaption className="flex flex-wrap gap-x-5 gap-y-1 text-sm text-slate-700">
        {series.map((item, index) => (
          <span key={item.label} className="inline-flex items-center gap-2">
            <span aria-hidden="true" className={`inline-block size-3 rounded-sm ${item.swatchClass}`} />
            {formatCount(totals[index] ?? 0)} {item.label}
          </span>
        ))}
      </figcaption>
      <details className="text-sm text-slate-700">
        <summary className="cursor-pointer font-medium text-brand-700">Show the numbers</summary>
        <div className="mt-2 max-h-72 overflow-y-auto">
          <table className="w-full text-left">
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr className="border-b border-slate-200">
                <th scope="col" className="py-1 pr-4 font-medium">Day (UTC)</th>
                {series.map((item) => (
                  <th key={item.label} scope="col" className="py-1 pr-4 text-right font-medium">
                    {item.label[0]?.toUpperCase()}
                    {item.label.slice(1)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {days.map((day, index) => (
                <tr key={day} className="border-b border-slate-100">
                  <th scope="row" className="py-1 pr-4 font-normal">
                    <time dateTime={day}>{shortDay(day)}</time>
                  </th>
                  {series.map((item) => (
                    <td key={item.label} className="py-1 pr-4 text-right tabular-nums">
                      {formatCount(item.values[index] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
