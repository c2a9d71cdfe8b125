// The SLA report (#/reports): for a range of days, how cases under an SLA fared per mailbox and per
// agent, and a chart of the cases opened each day stacked by outcome (DailyChart.tsx, plain SVG).
import { For, Show, createSignal } from 'solid-js';
import type { SlaReport as Report, SlaReportRow } from '../../../../worker/protocol/api.ts';
import { Loadable } from '../../components/Loadable.tsx';
import { defaultRange, formatMinutes, isDate, percent, shortDate, totalsOf, type Totals } from '../../lib/sla.ts';
import { createSlaReport, type ReportRange } from '../../stores/slaReport.ts';
import { DailyChart } from './DailyChart.tsx';

// A range the agent chose survives a visit elsewhere; otherwise each visit shows the last 30 days.
const [chosen, setChosen] = createSignal<ReportRange | null>(null);

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

  const { report, refetch } = createSlaReport(range);

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
      <Loadable error={report.error} loading={report.loading} value={report.error ? undefined : report.latest} failure="Could not load the report" retry={() => void refetch()}>
        {(r) => <ReportBody report={r()} />}
      </Loadable>
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
