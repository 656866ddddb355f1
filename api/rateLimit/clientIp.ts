/**
 * The client's address for rate limiting: the socket's peer address (hono/node-server passes the
 * Node request as `c.env.incoming`). X-Forwarded-For is trusted only when the operator says a
 * proxy sits in front (`config.trustProxy`): then the right-most entry — the one the proxy
 * itself appended — is used, since anything left of it is client-controlled.
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address, and an IPv6 client is
 * bucketed by its /64 (one subscriber usually holds a whole /64, so per-/128 limits are moot).
 */
import { isIP, isIPv4 } from 'node:net';
import type { Context } from 'hono';

export function clientIp(c: Context, { trustProxy = false }: { trustProxy?: boolean } = {}): string {
  if (trustProxy) {
    const xff = c.req.header('x-forwarded-for');
    const last = xff?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (last && isIP(last)) return rateLimitAddress(last);
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const addr = env?.incoming?.socket?.remoteAddress;
  return addr ? rateLimitAddress(addr) : 'unknown';
}

/** `1.2.3.4` → itself; `::ffff:1.2.3.4` → `1.2.3.4`; IPv6 → its /64 as `2001:db8:0:1::/64`. */
export function rateLimitAddress(addr: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIP(addr) !== 6) return addr;
  const [head = '', tail = ''] = addr.split('%')[0]!.split('::');
  const h = head ? head.split(':') : [];
  const t = addr.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = addr.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
