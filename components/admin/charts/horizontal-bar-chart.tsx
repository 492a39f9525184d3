import { formatCount, horizontalBars } from './scale';

export interface LabelledValue {
  /** What the bar stands for, e.g. a client's name. */
  label: string;
  /** A second line for the table, e.g. the client id. */
  detail?: string;
  value: number;
}

const WIDTH = 720;
const LABEL_WIDTH = 200;
const VALUE_WIDTH = 64;
const ROW = 28;
const LABEL_MAX = 28;

/**
 * One horizontal bar per item, largest first as given, with its label and value: server-rendered
 * SVG (see DailyBarChart for the accessibility and CSP notes), followed by the same numbers as a
 * table. `empty` is said instead when there is nothing to draw.
 */
export function HorizontalBarChart({ id, title, unit, items, empty }: { id: string; title: string; unit: string; items: readonly LabelledValue[]; empty: string }) {
  if (items.length === 0) {
    return (
      <p className="text-sm text-slate-600" data-chart={id}>
        {empty}
      </p>
    );
  }
  const plotWidth = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const { bars } = horizontalBars(
    items.map((item) => item.value),
    plotWidth,
    ROW,
  );
  const height = items.length * ROW;
  const summary = items.map((item) => `${item.label}: ${formatCount(item.value)}`).join('; ');
  return (
    <figure className="space-y-3" data-chart={id}>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="h-auto w-full">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{`${unit}, most first: ${summary}.`}</desc>
        {bars.map((bar) => {
          const item = items[bar.index]!;
          const label = item.label.length > LABEL_MAX ? `${item.label.slice(0, LABEL_MAX - 1)}…` : item.label;
          return (
            <g key={`${item.label}-${bar.index}`} data-label={item.label} data-value={bar.value}>
              <text x={LABEL_WIDTH - 8} y={bar.y + bar.height / 2 + 4} textAnchor="end" className="fill-slate-700 text-[12px]">
                {label}
              </text>
              <rect x={LABEL_WIDTH} y={bar.y} width={bar.width} height={bar.height} rx={2} className="fill-brand-600">
                <title>{`${item.label}: ${formatCount(bar.value)} ${unit}`}</title>
              </rect>
              <text x={LABEL_WIDTH + bar.width + 6} y={bar.y + bar.height / 2 + 4} className="fill-slate-700 text-[12px] tabular-nums">
                {formatCount(bar.value)}
              </text>
            </g>
          );
        })}
      </svg>
      <details className="text-sm text-slate-700">
        <summary className="cursor-pointer font-medium text-brand-700">Show the numbers</summary>
        <table className="mt-2 w-full text-left">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr className="border-b border-slate-200">
              <th scope="col" className="py-1 pr-4 font-medium">Client</th>
              <th scope="col" className="py-1 pr-4 text-right font-medium">{unit[0]?.toUpperCase()}{unit.slice(1)}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item, index) => (
              <tr key={`${item.label}-${index}`} className="border-b border-slate-100">
                <th scope="row" className="py-1 pr-4 font-normal">
                  {item.label}
                  {item.detail ? <span className="ml-2 font-mono text-xs text-slate-500">{item.detail}</span> : null}
                </th>
                <td className="py-1 pr-4 text-right tabular-nums">{formatCount(item.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
