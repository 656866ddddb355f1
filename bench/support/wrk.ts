/**
 * Runs wrk (/usr/bin/wrk) against a list of request paths (optionally with an If-None-Match
 * per path), through a small Lua script that cycles through them, and parses req/s and the
 * latency percentiles from its --latency output. The same client settings for every target is
 * what makes the ratios fair.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx3xx: number;
  statusCounts: Record<string, number>;
}

const LUA = `
local reqs = {}
local i = 0
init = function(args)
  local f = io.open(args[1], "r")
  for line in f:lines() do
    local p, tag = line:match("^([^\\t]+)\\t?(.*)$")
    local h = {}
    if tag ~= nil and tag ~= "" then h["If-None-Match"] = tag end
    if args[2] == "gzip" then h["Accept-Encoding"] = "gzip" end
    reqs[#reqs + 1] = wrk.format("GET", p, h)
  end
  f:close()
  i = math.random(#reqs)
end
request = function()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
local counts = {}
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
done = function(summary, latency, requests)
end
`;

function toMs(v: string, unit: string): number {
  const x = Number(v);
  return unit === 'us' ? x / 1000 : unit === 's' ? x * 1000 : unit === 'm' ? x * 60000 : x;
}

/** `lines`: request paths, each optionally followed by a tab and an ETag to send as If-None-Match. */
export function runWrk(args: { url: string; lines: string[]; seconds: number; connections: number; threads: number; gzip?: boolean }): WrkResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'raven-wrk-'));
  try {
    const listFile = path.join(dir, 'paths.txt');
    writeFileSync(listFile, args.lines.join('\n') + '\n');
    const luaFile = path.join(dir, 'paths.lua');
    writeFileSync(luaFile, LUA);
    const r = spawnSync('/usr/bin/wrk', [
      '-t', String(args.threads), '-c', String(args.connections), '-d', `${args.seconds}s`, '--latency',
      '-s', luaFile, args.url, '--', listFile, args.gzip ? 'gzip' : '',
    ], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
    const out = r.stdout;
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const lat = (p: string) => {
      const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s|m)`).exec(out);
      return m ? toMs(m[1]!, m[2]!) : Number.NaN;
    };
    const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
    const non = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
    return { rps, p50Ms: lat('50'), p99Ms: lat('99'), requests, non2xx3xx: non, statusCounts: {} };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
