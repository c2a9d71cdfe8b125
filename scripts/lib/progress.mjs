// Progress of a long job: a bar redrawn in place on a terminal, a plain line every `every` items
// otherwise (a log file or CI keeps every line, so it gets few of them).

export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export const formatCount = (n) => n.toLocaleString('en-US');

/**
 * total: how many items the whole job has; already: how many an earlier run did (counted as done
 * but not in the rate). Returns { update(done), log(line), end() }.
 */
export function createProgress({ total, already = 0, stream = process.stderr, tty = !!stream.isTTY, every = 100, label = 'imported' }) {
  const started = Date.now();
  let done = already;
  let lastDraw = 0;
  let drawn = false;

  const stats = () => {
    const elapsed = Date.now() - started;
    const rate = elapsed > 0 ? ((done - already) * 1000) / elapsed : 0;
    const eta = rate > 0 ? ((total - done) / rate) * 1000 : NaN;
    return { rate, eta };
  };

  const line = () => {
    const { rate, eta } = stats();
    const pct = total ? Math.floor((done / total) * 100) : 100;
    return { pct, tail: `${formatCount(done)}/${formatCount(total)}  ${pct}%  ${rate.toFixed(1)} msg/s  ETA ${done >= total ? '0 s' : formatDuration(eta)}` };
  };

  const draw = () => {
    const { pct, tail } = line();
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - tail.length - 4));
    const fill = Math.round((width * pct) / 100);
    stream.write(`\r\x1b[2K[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${tail}`);
    drawn = true;
    lastDraw = Date.now();
  };

  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };

  return {
    update(n) {
      done = n;
      if (tty) {
        if (Date.now() - lastDraw >= 100 || done >= total) draw();
      } else if ((done - already) % every === 0 && done > already) {
        stream.write(`${label} ${line().tail}\n`);
      }
    },
    /** A line of its own (a warning, say) without breaking the bar. */
    log(text) {
      if (tty) {
        clear();
        stream.write(`${text}\n`);
        draw();
      } else {
        stream.write(`${text}\n`);
      }
    },
    end() {
      if (tty) clear();
    },
  };
}
