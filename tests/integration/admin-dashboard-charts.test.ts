import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DailyBarChart } from '../../components/admin/charts/daily-bar-chart';
import { HorizontalBarChart } from '../../components/admin/charts/horizontal-bar-chart';
import { ProportionMeter } from '../../components/admin/charts/proportion-meter';
import { gridValues, niceMax, stackedColumns } from '../../components/admin/charts/scale';

/**
 * The dashboard's SVG charts, rendered as the server renders them, for known data: the bars'
 * geometry, the text alternatives, and nothing the CSP would refuse (no script, no inline style).
 */

function attributesOf(markup: string, selector: RegExp): Array<Record<string, string>> {
  return [...markup.matchAll(selector)].map((match) => Object.fromEntries([...match[0].matchAll(/([a-z-]+)="([^"]*)"/g)].map((pair) => [pair[1]!, pair[2]!])));
}

function expectCspSafe(markup: string) {
  expect(markup).not.toMatch(/<script|style=|javascript:|on[a-z]+=/i);
}

describe('scale', () => {
  it('rounds the axis up to 1, 2 or 5 × 10^k', () => {
    expect([0, 1, 3, 7, 10, 11, 48, 120, 999].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 50, 200, 1000]);
    expect(gridValues(20)).toEqual([0, 5, 10, 15, 20]);
    expect(gridValues(2)).toEqual([0, 1, 2]);
  });

  it('stacks the series of each column bottom-up, in proportion to the axis', () => {
    const area = { width: 100, height: 120, left: 0, right: 0, top: 10, bottom: 10 };
    const { top, columns } = stackedColumns([[5, 5], [0, 0], [2, 0]], area);
    expect(top).toBe(10);
    expect(columns[0]!.segments).toEqual([
      { series: 0, value: 5, x: expect.any(Number), y: 60, width: expect.any(Number), height: 50 },
      { series: 1, value: 5, x: expect.any(Number), y: 10, width: expect.any(Number), height: 50 },
    ]);
    expect(columns[1]!.segments).toEqual([]);
    expect(columns[2]!.segments).toMatchObject([{ series: 0, value: 2, y: 90, height: 20 }]);
  });
});

describe('DailyBarChart', () => {
  const days = ['2026-11-28', '2026-11-29', '2026-11-30'];
  const markup = renderToStaticMarkup(
    h(DailyBarChart, {
      id: 'sign-ins-chart',
      title: 'Sign-ins per day',
      days,
      series: [
        { label: 'successful sign-ins', fillClass: 'fill-emerald-600', swatchClass: 'bg-emerald-600', values: [10, 0, 4] },
        { label: 'failed sign-ins', fillClass: 'fill-red-500', swatchClass: 'bg-red-500', values: [0, 0, 1] },
      ],
    }),
  );

  it('draws one bar per non-zero value, its height in proportion (plot height 180 for an axis to 10)', () => {
    const bars = attributesOf(markup, /<rect [^>]*>/g);
    expect(bars.map((bar) => [bar['data-series'], bar['data-value'], bar.height, bar.class])).toEqual([
      ['0', '10', '180', 'fill-emerald-600'],
      ['0', '4', '72', 'fill-emerald-600'],
      ['1', '1', '18', 'fill-red-500'],
    ]);
    // The failure sits on top of the day's successes: its bottom is their top.
    const [, success, failure] = bars;
    expect(Number(failure!.y) + Number(failure!.height)).toBeCloseTo(Number(success!.y));
  });

  it('is one image named by its <title> and described with the totals by its <desc>', () => {
    expect(markup).toContain('role="img" aria-labelledby="sign-ins-chart-title sign-ins-chart-desc"');
    expect(markup).toContain('<title id="sign-ins-chart-title">Sign-ins per day</title>');
    expect(markup).toContain(
      '<desc id="sign-ins-chart-desc">3 days from 28 Nov to 30 Nov: 14 successful sign-ins, 1 failed sign-ins; the busiest day was 28 Nov with 10.</desc>',
    );
    expect(markup).toContain('<title>30 Nov: 1 failed sign-ins</title>');
  });

  it('has the same numbers in a table, and nothing the CSP would refuse', () => {
    const rows = [...markup.matchAll(/<tr class="border-b border-slate-100">(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/>([^<>]+)</g)].map((cell) => cell[1]));
    expect(rows).toEqual([
      ['28 Nov', '10', '0'],
      ['29 Nov', '0', '0'],
      ['30 Nov', '4', '1'],
    ]);
    expectCspSafe(markup);
  });
});

describe('HorizontalBarChart', () => {
  it('draws bars as wide as their share of the axis, with labels, and a table', () => {
    const markup = renderToStaticMarkup(
      h(HorizontalBarChart, {
        id: 'tokens-chart',
        title: 'Tokens issued per client',
        unit: 'tokens issued',
        items: [
          { label: 'Billing', detail: 'billing-app', value: 40 },
          { label: 'A client with a very long name indeed, longer than the room', detail: 'long', value: 10 },
        ],
        empty: 'None.',
      }),
    );
    // Plot width 720 - 200 - 64 = 456 for an axis to 50.
    expect(attributesOf(markup, /<rect [^>]*>/g).map((bar) => bar.width)).toEqual(['364.8', '91.2']);
    expect(markup).toContain('<desc id="tokens-chart-desc">tokens issued, most first: Billing: 40; A client with a very long name indeed, longer than the room: 10.</desc>');
    expect(markup).toContain('A client with a very long n…');
    expect(markup).toContain('<td class="py-1 pr-4 text-right tabular-nums">40</td>');
    expectCspSafe(markup);
  });

  it('says so when there is nothing to draw', () => {
    const markup = renderToStaticMarkup(h(HorizontalBarChart, { id: 't', title: 'T', unit: 'tokens', items: [], empty: 'No tokens were issued.' }));
    expect(markup).toContain('No tokens were issued.');
    expect(markup).not.toContain('<svg');
  });
});

describe('ProportionMeter', () => {
  it('fills its share of the bar and states the numbers', () => {
    const markup = renderToStaticMarkup(
      h(ProportionMeter, { id: 'mfa-chart', title: 'Users with a second factor', part: 3, whole: 4, wholeLabel: 'enabled users', partLabel: 'have a second factor' }),
    );
    expect(attributesOf(markup, /<rect [^>]*data-value[^>]*>/g)).toMatchObject([{ width: '540', 'data-value': '3' }]);
    expect(markup).toContain('3 of 4 enabled users (75%) have a second factor.');
    expect(markup).toContain('75%');
    expectCspSafe(markup);
  });

  it('draws no filled part for no users', () => {
    const markup = renderToStaticMarkup(h(ProportionMeter, { id: 'm', title: 'T', part: 0, whole: 0, wholeLabel: 'users', partLabel: 'have one' }));
    expect(markup).not.toContain('data-value');
    expect(markup).toContain('0 of 0 users (0%) have one.');
  });
});
