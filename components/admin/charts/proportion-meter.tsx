import { formatCount } from './scale';

const WIDTH = 720;
const HEIGHT = 20;

/** The share of `part` in `whole`, in whole percent (0 when `whole` is 0). */
export function percentOf(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}

/**
 * A part of a whole as one bar (e.g. users with a second factor among all users): server-rendered
 * SVG with a <title> and a <desc> that state the numbers, and the same sentence beside it.
 */
export function ProportionMeter({ id, title, part, whole, partLabel, wholeLabel }: { id: string; title: string; part: number; whole: number; partLabel: string; wholeLabel: string }) {
  const percent = percentOf(part, whole);
  const filled = whole > 0 ? Math.round((part / whole) * WIDTH * 100) / 100 : 0;
  const sentence = `${formatCount(part)} of ${formatCount(whole)} ${wholeLabel} (${percent}%) ${partLabel}.`;
  return (
    <figure className="space-y-2" data-chart={id}>
      <p className="text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">{percent}%</p>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="h-5 w-full" preserveAspectRatio="none">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{sentence}</desc>
        <rect x={0} y={0} width={WIDTH} height={HEIGHT} rx={4} className="fill-slate-200" />
        {filled > 0 ? <rect x={0} y={0} width={filled} height={HEIGHT} rx={4} className="fill-emerald-600" data-value={part} /> : null}
      </svg>
      <figcaption className="text-sm text-slate-700">{sentence}</figcaption>
    </figure>
  );
}
