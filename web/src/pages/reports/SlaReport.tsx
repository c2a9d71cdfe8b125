// The SLA report (#/reports): for a range of days, how cases under an SLA fared per mailbox and per
// agent, and a chart of the cases opened each day stacked by outcome. The chart is plain SVG.
import { For, Match, Show, Switch, createResource, createSignal } from 'solid-js';
import type { SlaReport as Report, SlaReportRow } from '../../../../worker/protocol/api.ts';
import { getSlaReport } from '../../api/cases.ts';
import { errorMessage } from '../../api/errors.ts';
import { onResync, onServerEvent } from '../../realtime/live.ts';
import { defaultRange, formatMinutes, isDate, niceScale, percent, shortDate, totalsOf, type Totals } from '../../lib/sla.ts';
import { createDebounced } from '../../lib/util.ts';

interface Range {
  from: string;
  to: string;
}

/** Outcomes in stacking order, bottom up, with their legend words. */
const OUTCOMES = [
  { key: 'met', label: 'Met' },
  { key: 'breached', label: 'Breached' },
  { key: 'open', label: 'Still open' },
] as const;

// A range the agent chose survives a visit elsewhere; otherwise each visit shows the last 30 days.
const [chosen, setChosen] = createSignal<Range | null>(null);

export function SlaReport() {
  document.title = 'SLA report · edgecase';
  const initial = chosen() ?? defaultRange(Date.now());
  const range = () => chosen() ?? initial;
  const [from, setFrom] = createSignal(initial.from);
  const [to, setTo] = createSignal(initial.to);
  const invalid = (): string | null => {
    if (!isDate(from()) || !isDate(to())) return 'Pick both dates.';
    if (from() > to()) return '“From” must not be after “to”.';
    return null;
  };
  function apply(): void {
    if (invalid()) return;
    const next = { from: from(), to: to() };
    const cur = range();
    if (cur.from !== next.from || cur.to !== next.to) setChosen(next);
  }

  const [report, { refetch }] = createResource(range, (r) => getSlaReport(r));
  // Outcomes change with the sweep and with the agents' work: refresh now and then, not per event.
  const refresh = createDebounced(() => void refetch(), 2_000);
  onServerEvent((event) => {
    if (event.type === 'sla.updated' || event.type === 'case.created' || event.type === 'case.updated' || event.type === 'message.added') refresh();
  });
  onResync(refresh);

  return (
    <section class="report" data-testid="sla-report">
      <h2 class="page-title">SLA report</h2>
      <form
        class="report-range"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <label class="field">
          From <input type="date" data-testid="report-from" value={from()} max={to()} required onInput={(e) => setFrom(e.currentTarget.value)} onChange={apply} />
        </label>
        <label class="field">
          To <input type="date" data-testid="report-to" value={to()} min={from()} required onInput={(e) => setTo(e.currentTarget.value)} onChange={apply} />
        </label>
        <button type="submit" disabled={!!invalid()}>
          Show
        </button>
        <span class="hint">Days are UTC days; a case counts on the day it was opened.</span>
        <Show when={invalid()}>{(msg) => <span class="error-text">{msg()}</span>}</Show>
        <Show when={report.loading}>
          <span class="muted" role="status">
            Loading…
          </span>
        </Show>
      </form>
      <Switch>
        <Match when={report.error && !report.loading}>
          <div class="error" role="alert">
            <p>Could not load the report: {errorMessage(report.error)}</p>
            <button type="button" onClick={() => void refetch()}>
              Retry
            </button>
          </div>
        </Match>
        <Match when={report.error ? undefined : report.latest}>{(r) => <ReportBody report={r()} />}</Match>
        <Match when={true}>
          <p class="loading">Loading…</p>
        </Match>
      </Switch>
    </section>
  );
}

function ReportBody(props: { report: Report }) {
  const totals = () => totalsOf(props.report.daily);
  return (
    <>
      <p class="report-summary" data-testid="report-summary">
        {summaryText(props.report, totals())}
      </p>
      <DailyChart report={props.report} totals={totals()} />
      <h3 class="report-heading">By mailbox</h3>
      <ReportTable rows={props.report.byMailbox} what="Mailbox" testId="report-mailbox-row" />
      <h3 class="report-heading">By agent</h3>
      <ReportTable rows={props.report.byAgent} what="Agent" testId="report-agent-row" />
      <p class="hint report-note">
        Met: resolved or closed without a breach. Breached: any target (first response, next response, resolution) missed. Open: still running, not breached. First response times count business hours
        for mailboxes whose SLA counts office hours only, wall-clock time otherwise.
      </p>
    </>
  );
}

function summaryText(r: Report, t: Totals): string {
  const span = r.from === r.to ? shortDate(r.from) : `${shortDate(r.from)} – ${shortDate(r.to)}`;
  if (t.cases === 0) return `${span}: no cases under an SLA were opened.`;
  return `${span}: ${t.cases} case${t.cases === 1 ? '' : 's'} under an SLA opened; ${t.met} met (${percent(t.met, t.cases)}), ${t.breached} breached (${percent(t.breached, t.cases)}), ${t.open} still open.`;
}

function ReportTable(props: { rows: SlaReportRow[]; what: string; testId: string }) {
  return (
    <Show when={props.rows.length > 0} fallback={<p class="empty">No cases in this range.</p>}>
      <div class="table-wrap">
        <table class="report-table">
          <thead>
            <tr>
              <th scope="col">{props.what}</th>
              <th scope="col" class="n">
                Cases
              </th>
              <th scope="col" class="n">
                Met
              </th>
              <th scope="col" class="n">
                Breached
              </th>
              <th scope="col" class="n">
                Open
              </th>
              <th scope="col" class="n" title="Median time from a case's creation to the first reply to the customer">
                Median first response
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={props.rows}>
              {(row) => (
                <tr data-testid={props.testId} data-id={row.id} data-cases={row.cases} data-met={row.met} data-breached={row.breached} data-open={row.open}>
                  <th scope="row" class="name">
                    {row.name}
                  </th>
                  <td class="n">{row.cases}</td>
                  <td class="n" title={`${row.met} of ${row.cases}`}>
                    {percent(row.met, row.cases)} <span class="muted">({row.met})</span>
                  </td>
                  <td class="n" classList={{ 'has-breaches': row.breached > 0 }} title={`${row.breached} of ${row.cases}`}>
                    {percent(row.breached, row.cases)} <span class="muted">({row.breached})</span>
                  </td>
                  <td class="n">{row.open}</td>
                  <td class="n" title={row.medianFirstResponseMinutes === null ? 'No case was answered yet' : `${Math.round(row.medianFirstResponseMinutes)} minutes`}>
                    {formatMinutes(row.medianFirstResponseMinutes)}
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}

// ---------------------------------------------------------------------------------------------
// The chart

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

function DailyChart(props: { report: Report; totals: Totals }) {
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
