/** A concurrency limiter: at most `n` of the wrapped tasks run at once (no dependency needed). */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function limit(n: number): Limit {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
