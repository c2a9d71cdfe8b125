// Per-agent state (drafts, cached lists, fetched images) registers here to be forgotten when the
// agent signs out or someone else signs in (stores/session.ts decides when).
const resets = new Set<() => void>();

export function onPrivateReset(fn: () => void): void {
  resets.add(fn);
}

export function resetPrivate(): void {
  for (const fn of resets) {
    try {
      fn();
    } catch (err) {
      console.error('clearing private state failed', err);
    }
  }
}
