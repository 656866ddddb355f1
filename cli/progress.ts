/**
 * A one-line progress bar for long work, drawn only when the stream is a TTY (piped output
 * stays quiet: no bars, no carriage returns in logs).
 */
export interface Progress {
  tick(n?: number): void;
  total(n: number): void;
  done(): void;
}

export function progress({ stream, label, total = 0, enabled }: {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  label: string;
  total?: number;
  enabled?: boolean;
}): Progress {
  const on = enabled ?? stream.isTTY === true;
  let done = 0;
  let last = 0;
  let drawn = false;
  const draw = (force = false) => {
    if (!on) return;
    const now = Date.now();
    if (!force && now - last < 80) return;
    last = now;
    const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - label.length - 30));
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const fill = Math.round(frac * width);
    stream.write(`\r${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${done}/${total || '?'}\x1b[K`);
    drawn = true;
  };
  return {
    tick(n = 1) {
      done += n;
      draw();
    },
    total(n) {
      total = n;
      draw();
    },
    done() {
      if (drawn) {
        draw(true);
        stream.write('\n');
      }
    },
  };
}
