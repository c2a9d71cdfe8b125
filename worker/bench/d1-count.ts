// A D1 binding that records its round trips: each `batch()` is one, and so is a lone statement's
// `run`/`all`/`first`/`raw`. Used by the bench Worker and the round-trip tests; never deployed.

/** One round trip: the SQL of each statement it carried. */
export type D1Call = string[];

/**
 * A call that records an outgoing mail's delivery (the recipient's status, and its event for the
 * agents), made in the background after the mail that caused it was filed.
 */
export function isDeliveryRecord(call: D1Call): boolean {
  return call.some((sql) => /^update "outbox_recipients"/i.test(sql)) && call.every((sql) => /^(update "outbox_recipients"|insert into "events")/i.test(sql));
}

const SQL = Symbol('sql');
type Tagged = D1PreparedStatement & { [SQL]?: string };

export function countingD1(d1: D1Database, calls: D1Call[]): D1Database {
  const statement = (s: D1PreparedStatement, sql: string): D1PreparedStatement =>
    new Proxy(s, {
      get(target, prop) {
        if (prop === SQL) return sql;
        const value = Reflect.get(target, prop, target);
        if (prop === 'bind') return (...args: unknown[]) => statement((value as (...a: unknown[]) => D1PreparedStatement).apply(target, args), sql);
        if (prop === 'run' || prop === 'all' || prop === 'first' || prop === 'raw')
          return (...args: unknown[]) => {
            calls.push([sql]);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => statement(target.prepare(sql), sql);
      if (prop === 'batch')
        return (statements: Tagged[]) => {
          calls.push(statements.map((s) => s[SQL] ?? '?'));
          return target.batch(statements);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
