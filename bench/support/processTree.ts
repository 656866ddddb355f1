/**
 * Child-process helpers for benchmarks: start a server and wait for its port, stop it and its
 * children by process group (never by name), sample peak RSS of a process tree from /proc.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      // A per-attempt timeout: a server may accept connections before it answers them.
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status < 500) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${url}: ${String(last)}`);
}

export interface Started {
  child: ChildProcess;
  stop(): Promise<void>;
  output(): string;
}

/** Spawn in its own process group so stop() ends the whole tree it started. */
export function startProcess(cmd: string, args: string[], opts: SpawnOptions = {}): Started {
  const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch { /* gone */ }
      }, 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch { /* exited */ }
  }
  return out;
}

/** Current RSS in bytes of `pid` plus all its descendants. */
export function treeRss(pid: number): number {
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch { /* exited */ }
    stack.push(...childrenOf(p));
  }
  return total;
}

/** Run a command, sampling the peak RSS of its process tree every `everyMs`; resolves on exit. */
export async function runMeasured(cmd: string, args: string[], opts: SpawnOptions = {}, everyMs = 200): Promise<{ code: number | null; seconds: number; peakRss: number; stdout: string; stderr: string }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { if (stdout.length < 1_000_000) stdout += d; });
  child.stderr!.on('data', (d) => { if (stderr.length < 1_000_000) stderr += d; });
  let peak = 0;
  const timer = setInterval(() => { peak = Math.max(peak, treeRss(child.pid!)); }, everyMs);
  const code: number | null = await new Promise((r) => child.once('exit', (c) => r(c)));
  clearInterval(timer);
  return { code, seconds: (performance.now() - t0) / 1000, peakRss: peak, stdout, stderr };
}
