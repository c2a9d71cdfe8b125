// The SLA report (GET /api/reports/sla): how each mailbox and agent fared against its targets.

export interface SlaReportRow {
  id: string;
  name: string;
  cases: number;
  /** Resolved or closed without a breach. */
  met: number;
  breached: number;
  /** Still running, not breached. */
  open: number;
  /** In business minutes when the mailbox counts office hours only. */
  medianFirstResponseMinutes: number | null;
}

export interface SlaReport {
  from: string;
  to: string;
  byMailbox: SlaReportRow[];
  byAgent: SlaReportRow[];
  /** Cases opened per day and how they fared, for the chart. */
  daily: Array<{ date: string; met: number; breached: number; open: number }>;
}
