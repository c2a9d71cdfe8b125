// The SLA report's chart: cases under an SLA opened per day, stacked by outcome (met, breached, still
// open), in plain SVG with a legend, a y axis of round ticks and at most a few date labels.
import { For, Show } from 'solid-js';
import type { SlaReport as Report } from '../../../../worker/protocol/api.ts';
import { niceScale, shortDate, type Totals } from '../../lib/sla.ts';

/** Outcomes in stacking order, bottom up, with their legend words. */
const OUTCOMES = [
  { key: 'met', label: 'Met' },
  { key: 'breached', label: 'Breached' },
  { key: 'open', label: 'Still open' },
] as const;

const W = 1000;
const H = 300;
const PAD = { left: 44, right: 12, top: 34, bottom: 46 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;
/** Where each legend entry starts: after the swatches and (roughly measured) words before it. */
function legendOffset(index: number): number {
  return OUTCOMES.slice(0, index).reduce((x, o) => x + 36 + o.label.length * 7, 0);
}

/** At most this many date labels under the bars. */
const MAX_X_LABELS = 8;

export function DailyChart(props: { report: Report; totals: Totals }) {
  const days = () => props.report.daily;
  const scale = () => niceScale(Math.max(0, ...days().map((d) => d.met + d.breached + d.open)));
  const slot = () => PLOT_W / Math.max(1, days().length);
  const barWidth = () => Math.max(1, Math.min(28, slot() * 0.7));
  const y = (v: number) => PAD.top + PLOT_H - (v / scale().top) * PLOT_H;
  const ticks = () => {
    const out: number[] = [];
    for (let v = 0; v <= scale().top; v += scale().step) out.push(v);
    return out;
  };
  const labelEvery = () => Math.max(1, Math.ceil(days().length / MAX_X_LABELS));
  const label = () => {
    const t = props.totals;
    const span = props.report.from === props.report.to ? shortDate(props.report.from) : `${shortDate(props.report.from)} to ${shortDate(props.report.to)}`;
    return `Cases under an SLA opened per day, ${span}: ${t.cases} in all, ${t.met} met, ${t.breached} breached, ${t.open} still open.`;
  };
  /** The stacked segments of one day, bottom up, leaving out empty ones. */
  const segments = (d: Report['daily'][number]) => {
    let base = 0;
    return OUTCOMES.flatMap((o) => {
      const v = d[o.key];
      const seg = { key: o.key, y0: base, y1: base + v };
      base += v;
      return v > 0 ? [seg] : [];
    });
  };

  return (
    <figure class="chart">
      <svg data-testid="sla-chart" role="img" aria-label={label()} viewBox={`0 0 ${W} ${H}`} class="chart-svg" preserveAspectRatio="xMidYMid meet">
        {/* Legend */}
        <g class="legend" transform={`translate(${PAD.left}, 12)`} aria-hidden="true">
          <For each={OUTCOMES}>
            {(o, i) => (
              <g transform={`translate(${legendOffset(i())}, 0)`}>
                <rect class={`seg-${o.key}`} width="12" height="12" rx="2" />
                <text x="18" y="10">
                  {o.label}
                </text>
              </g>
            )}
          </For>
        </g>
        {/* Grid and y axis */}
        <g class="axis y-axis" aria-hidden="true">
          <For each={ticks()}>
            {(v) => (
              <>
                <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
                <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end">
                  {v}
                </text>
              </>
            )}
          </For>
          <text class="axis-title" transform={`translate(11, ${PAD.top + PLOT_H / 2}) rotate(-90)`} text-anchor="middle">
            cases
          </text>
        </g>
        {/* Bars */}
        <g class="bars">
          <For each={days()}>
            {(d, i) => {
              const x = () => PAD.left + i() * slot() + (slot() - barWidth()) / 2;
              return (
                <g class="day" data-date={d.date}>
                  <title>{`${shortDate(d.date)}: ${d.met} met, ${d.breached} breached, ${d.open} open`}</title>
                  {/* A transparent full-height target, so the day's tooltip is easy to hover. */}
                  <rect class="hit" x={PAD.left + i() * slot()} y={PAD.top} width={slot()} height={PLOT_H} />
                  <For each={segments(d)}>{(s) => <rect class={`bar seg-${s.key}`} data-outcome={s.key} x={x()} width={barWidth()} y={y(s.y1)} height={Math.max(0, y(s.y0) - y(s.y1))} />}</For>
                </g>
              );
            }}
          </For>
        </g>
        {/* X axis */}
        <g class="axis x-axis" aria-hidden="true">
          <line class="baseline" x1={PAD.left} x2={W - PAD.right} y1={PAD.top + PLOT_H} y2={PAD.top + PLOT_H} />
          <For each={days()}>
            {(d, i) => (
              <Show when={i() % labelEvery() === 0}>
                <text x={PAD.left + (i() + 0.5) * slot()} y={PAD.top + PLOT_H + 16} text-anchor="middle">
                  {shortDate(d.date)}
                </text>
              </Show>
            )}
          </For>
          <text class="axis-title" x={PAD.left + PLOT_W / 2} y={H - 6} text-anchor="middle">
            day opened (UTC)
          </text>
        </g>
      </svg>
    </figure>
  );
}
