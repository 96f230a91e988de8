// Progress for a log rather than a terminal: a plain line on stderr at most every few seconds, so CI logs show
// that a long seed or import is moving without the redraws of a progress bar.
export interface LineProgress {
  update(phase: string, done: number, total: number): void;
}

export function lineProgress(label: string, everyMs = 3000, out: NodeJS.WritableStream = process.stderr, now = () => Date.now()): LineProgress {
  const started = now();
  let last = started;
  return {
    update(phase, done, total) {
      const t = now();
      // The end is always shown; between, at most one line per interval.
      if (t - last < everyMs && done < total) return;
      last = t;
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      out.write(`${label}: ${phase} ${done}/${total} (${pct}%) ${((t - started) / 1000).toFixed(1)} s\n`);
    },
  };
}
