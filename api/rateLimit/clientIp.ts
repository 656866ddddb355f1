/**
 * The client's IP for rate limiting: the socket's peer address (hono/node-server passes the
 * Node request as `c.env.incoming`). X-Forwarded-For is trusted only when the operator says a
 * proxy sits in front (`config.trustProxy`): then the right-most entry — the one the proxy
 * itself appended — is used, since anything left of it is client-controlled.
 */
import type { Context } from 'hono';

export function clientIp(c: Context, { trustProxy = false }: { trustProxy?: boolean } = {}): string {
  if (trustProxy) {
    const xff = c.req.header('x-forwarded-for');
    const last = xff?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (last) return last;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
