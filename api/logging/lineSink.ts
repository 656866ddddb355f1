/**
 * Where the server's log lines go: stdout, with the lines of up to `intervalMs` written in one
 * write. A write to a pipe (journald, docker, a supervisor) wakes its reader; one wake-up per
 * request line cost a publish burst on two cores a context switch per request (the server's
 * thread was preempted inside the write). Lines keep their order; `error` lines and a full
 * buffer (`maxBytes`) are written at once, and whatever is buffered is written when the process
 * exits (the 'exit' event; a SIGKILL loses at most `intervalMs` of lines).
 *
 * @example
 *   const log = jsonLogger({ write: stdoutLineSink().write });
 */
export interface LineSink {
  write: (line: string, urgent?: boolean) => void;
  flush: () => void;
}

export function bufferedLineSink({ out, intervalMs = 25, maxBytes = 64 * 1024 }: {
  /** Receives the joined lines. */
  out: (text: string) => void;
  intervalMs?: number;
  maxBytes?: number;
}): LineSink {
  let pending: string[] = [];
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    bytes = 0;
    out(text);
  };
  const write = (line: string, urgent = false): void => {
    pending.push(line);
    bytes += line.length;
    if (urgent || bytes >= maxBytes) flush();
    else timer ??= setTimeout(flush, intervalMs).unref();
  };
  return { write, flush };
}

let stdoutSink: LineSink | undefined;

/** The process's one buffered sink for stdout (flushed on exit). */
export function stdoutLineSink(): LineSink {
  if (!stdoutSink) {
    const sink = bufferedLineSink({ out: (text) => process.stdout.write(text) });
    process.on('exit', sink.flush); // stdout to a file or pipe is written synchronously on Linux
    stdoutSink = sink;
  }
  return stdoutSink;
}
