/**
 * The in-process RateLimitStore: fixed windows in a Map. Expired windows are swept while
 * counting (no timer keeps the process alive), so memory stays proportional to the clients
 * seen within one window.
 */
import type { RateLimitResult, RateLimitStore } from './RateLimitStore.ts';

interface Window { count: number; resetAt: number }

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, Window>();
  private readonly now: () => number;
  private nextSweep = 0;

  constructor(opts: { now?: () => Date } = {}) {
    this.now = opts.now ? () => opts.now!().getTime() : Date.now;
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    const now = this.now();
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return { allowed: w.count <= limit, limit, remaining: Math.max(0, limit - w.count), resetAt: w.resetAt };
  }

  /** Number of live windows (tests). */
  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 60_000;
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}
