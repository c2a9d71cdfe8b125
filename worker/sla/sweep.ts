// The SLA sweep, run by the cron trigger every minute with the controller's scheduledTime as now.
// It reads only cases whose next look is due (cases.next_due_at, indexed), a page at a time, and for
// each page makes three calls to D1 however many cases are due: the read, one batch that claims every
// warning and breach found, and one commit per workspace with all their events, escalations and the
// cases' next looks. A claim is a compare-and-set of the case's warned/breached masks on the values
// the page read, so a late or duplicated run raises nothing twice: the run whose claim lost leaves the
// case to the next run, which reads it afresh.
import { and, asc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
import { agents, cases, mailboxes, teams, type Agent, type Case, type Mailbox, type Team } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { commit } from '../changes/commit.ts';
import { combine, update, type Change } from '../changes/change.ts';
import { slaContextFor } from './apply.ts';
import { raiseFinding, type Finding } from './escalate.ts';
import { slaColumns, stateOf, type SlaContext } from './transition.ts';
import { dueFindings, TARGET_BIT } from './policy.ts';

export interface SweepResult {
  checked: number;
  warnings: number;
  breaches: number;
}

interface Due {
  kase: Case;
  mailbox: Mailbox;
  ctx: SlaContext | null;
  findings: Finding[];
}

/** The masks a case has once its findings are raised. */
function claimedMasks(kase: Case, findings: Finding[]) {
  let warned = kase.slaWarnedMask;
  let breached = kase.slaBreachedMask;
  for (const f of findings) {
    if (f.kind === 'breach') breached |= TARGET_BIT[f.target];
    else warned |= TARGET_BIT[f.target];
  }
  return { warned, breached };
}

export async function sweepSla(deps: Deps, now: number, options: { pageSize?: number; maxCases?: number } = {}): Promise<SweepResult> {
  const pageSize = options.pageSize ?? 200;
  const maxCases = options.maxCases ?? 10_000;
  const result: SweepResult = { checked: 0, warnings: 0, breaches: 0 };
  const contexts = new Map<string, SlaContext | null>();
  const seen = new Set<string>();
  while (result.checked < maxCases) {
    const rows = await deps.db
      .select({ kase: cases, mailbox: mailboxes })
      .from(cases)
      .innerJoin(mailboxes, eq(mailboxes.id, cases.mailboxId))
      .where(and(isNotNull(cases.nextDueAt), lte(cases.nextDueAt, now)))
      .orderBy(asc(cases.nextDueAt))
      .limit(pageSize);
    const fresh = rows.filter((r) => !seen.has(r.kase.id));
    if (fresh.length === 0) break;
    const page: Due[] = [];
    for (const { kase, mailbox } of fresh) {
      seen.add(kase.id);
      const key = `${mailbox.id}:${kase.slaPolicyId}`;
      if (!contexts.has(key)) contexts.set(key, kase.slaPolicyId ? await slaContextFor(deps.db, mailbox, kase.slaPolicyId) : null);
      const ctx = contexts.get(key) ?? null;
      page.push({ kase, mailbox, ctx, findings: ctx ? dueFindings(stateOf(kase), ctx.policy, ctx.calendar, kase.createdAt, now) : [] });
    }
    result.checked += page.length;
    const r = await sweepPage(deps, page, now);
    result.warnings += r.warnings;
    result.breaches += r.breaches;
    if (rows.length < pageSize) break;
  }
  await deps.settle();
  return result;
}

/** Claims the page's findings in one batch; answers the cases whose claim won (or that had none to make). */
async function claim(deps: Deps, page: Due[]): Promise<Set<string>> {
  const claiming = page.filter((d) => d.findings.length > 0);
  const won = new Set(page.filter((d) => d.findings.length === 0).map((d) => d.kase.id));
  if (claiming.length === 0) return won;
  const stmts = claiming.map(({ kase, findings }) => {
    const masks = claimedMasks(kase, findings);
    return deps.db
      .update(cases)
      .set({ slaWarnedMask: masks.warned, slaBreachedMask: masks.breached })
      .where(and(eq(cases.id, kase.id), eq(cases.slaWarnedMask, kase.slaWarnedMask), eq(cases.slaBreachedMask, kase.slaBreachedMask)))
      .returning({ id: cases.id });
  });
  const results = await deps.db.batch(stmts as [(typeof stmts)[number], ...typeof stmts]);
  for (const rows of results) for (const row of rows) won.add(row.id);
  return won;
}

async function sweepPage(deps: Deps, page: Due[], now: number): Promise<{ warnings: number; breaches: number }> {
  const won = await claim(deps, page);
  const needAgents = page.some((d) => d.findings.length > 0 && won.has(d.kase.id));
  const workspaceIds = [...new Set(page.map((d) => d.kase.workspaceId))];
  // One round trip for both: the agents an escalation may name, and the teams it may move a case to.
  const [agentRows, teamRows]: [Agent[], Team[]] = needAgents
    ? await deps.db.batch([
        deps.db
          .select()
          .from(agents)
          .where(and(inArray(agents.workspaceId, workspaceIds), eq(agents.active, true))),
        deps.db.select().from(teams).where(inArray(teams.workspaceId, workspaceIds)),
      ])
    : [[], []];
  const byWorkspace = new Map<string, Change>();
  const add = (workspaceId: string, part: Partial<Omit<Change, 'workspaceId'>>) => byWorkspace.set(workspaceId, combine(workspaceId, byWorkspace.get(workspaceId), part));
  let warnings = 0;
  let breaches = 0;
  for (const d of page) {
    if (!won.has(d.kase.id)) continue;
    const { mailbox, ctx } = d;
    if (!ctx) {
      // The policy is gone: nothing to watch any more.
      add(d.kase.workspaceId, { writes: [update('cases', { id: d.kase.id }, { nextDueAt: null })] });
      continue;
    }
    const masks = claimedMasks(d.kase, d.findings);
    const state = { ...stateOf(d.kase), warnedMask: masks.warned, breachedMask: masks.breached };
    const escalation = {
      mailbox,
      sla: ctx,
      agents: new Map(agentRows.filter((a) => a.workspaceId === d.kase.workspaceId).map((a) => [a.id, a])),
      teams: new Map(teamRows.filter((t) => t.workspaceId === d.kase.workspaceId).map((t) => [t.name.toLowerCase(), t])),
      secret: deps.secrets.replyTokenKey,
      appUrl: deps.config.appUrl,
      now,
    };
    // Escalations of one run build on each other (two breaches raise the priority twice).
    let current = d.kase;
    for (const [i, f] of d.findings.entries()) {
      if (f.kind === 'breach') breaches++;
      else warnings++;
      // Each event says the state as of its own finding, as if the findings were raised one by one.
      const soFar = claimedMasks(d.kase, d.findings.slice(0, i + 1));
      const raised = await raiseFinding(current, f, { ...state, warnedMask: soFar.warned, breachedMask: soFar.breached }, escalation);
      add(d.kase.workspaceId, raised.change);
      current = raised.kase;
    }
    const cols = slaColumns(state, ctx, d.kase.createdAt);
    // Never leave a case due at or before now: the next run would read it again for nothing.
    const nextDueAt = cols.nextDueAt !== null && cols.nextDueAt <= now ? null : cols.nextDueAt;
    add(d.kase.workspaceId, { writes: [update('cases', { id: d.kase.id }, { nextDueAt, slaState: cols.slaState, ...(d.findings.length ? { updatedAt: now } : {}) })] });
  }
  for (const change of byWorkspace.values()) await commit(deps, change);
  return { warnings, breaches };
}
