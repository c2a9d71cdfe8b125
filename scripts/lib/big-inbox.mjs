// A workspace with `total` open cases, as SQL for `wrangler d1 execute`: the inbox the virtual list
// and the first-paint benchmark are measured on. Case #n was last written to n minutes after the
// start, so #total is the newest and #1 the oldest.
export function bigInboxSql(total) {
  const at = Date.UTC(2026, 0, 5, 9, 0);
  const lines = [
    `INSERT INTO workspaces (id, name, slug, case_counter, created_at) VALUES ('ws_big', 'Big', 'big', ${total}, ${at});`,
    `INSERT INTO mailboxes (id, workspace_id, address, display_name, created_at, updated_at) VALUES ('mbx_big', 'ws_big', 'big@big.test', 'Big', ${at}, ${at});`,
  ];
  const rows = [];
  for (let n = 1; n <= total; n++) {
    const t = at + n * 60_000;
    rows.push(`('case_big${String(n).padStart(6, '0')}','ws_big','mbx_big',${n},'Bulk question number ${n}','open','normal',${t},${t},${t})`);
  }
  for (let i = 0; i < rows.length; i += 500) {
    lines.push(`INSERT INTO cases (id, workspace_id, mailbox_id, number, subject, status, priority, created_at, updated_at, last_message_at) VALUES ${rows.slice(i, i + 500).join(',')};`);
  }
  return lines.join('\n');
}

/**
 * For a page's init script: notes in window.__firstRowAt when the first case row is in the DOM, in
 * the page's own clock (0 = navigation start).
 */
export function markFirstRow() {
  new MutationObserver((_, observer) => {
    if (document.querySelector('[data-testid="case-row"]')) {
      window.__firstRowAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, childList: true });
}
