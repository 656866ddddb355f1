/**
 * Per-day downloads as an inline SVG bar chart: no script, no image request; every bar has
 * a <title> with its day and count (a tooltip, and text for screen readers).
 */
import { esc, formatCount } from './html.ts';

export function downloadsChart(days: readonly { day: string; count: number }[]): string {
  const W = 720;
  const H = 140;
  const top = 4;
  const bottom = 4;
  const left = 4;
  const plotH = H - top - bottom;
  let max = 1;
  for (const d of days) if (d.count > max) max = d.count;
  const step = (W - left * 2) / Math.max(days.length, 1);
  const barW = Math.max(1, step - 1.5);
  const total = days.reduce((s, d) => s + d.count, 0);
  const geo = barXs(days.length, step, left);
  const width = barW.toFixed(1);
  const base = (top + plotH).toFixed(1);
  const bars = days.map((d, i) => {
    // A zero day (most days of most packages) needs no arithmetic: a flat bar on the axis.
    const h = d.count === 0 ? 0 : Math.max(1.5, (d.count / max) * plotH);
    const y = h === 0 ? base : (top + plotH - h).toFixed(1);
    return `<rect class="bar" x="${geo[i]}" y="${y}" width="${width}" height="${h === 0 ? '0.0' : h.toFixed(1)}"><title>${esc(d.day)}: ${formatCount(d.count)}</title></rect>`;
  }).join('');
  const first = days[0]?.day ?? '';
  const last = days.at(-1)?.day ?? '';
  return `<figure class="chart" style="margin:0"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`Downloads per day, ${first} to ${last}: ${formatCount(total)} in total`)}" xmlns="http://www.w3.org/2000/svg">
<line x1="${left}" y1="${top + plotH + 0.5}" x2="${W - left}" y2="${top + plotH + 0.5}"/>
<line x1="${left}" y1="${top - 0.5}" x2="${W - left}" y2="${top - 0.5}" stroke-dasharray="3 4"/>
${bars}
</svg><div class="axis meta"><span>${esc(first)}</span><span>peak ${formatCount(max)}/day</span><span>${esc(last)}</span></div><figcaption class="meta">${formatCount(total)} downloads in the last ${days.length} days</figcaption></figure>`;
}

/** Each bar's `x`, which depends only on the number of days (cached: every page has 90). */
let xCache: { key: string; xs: string[] } | undefined;
function barXs(n: number, step: number, left: number): string[] {
  const key = `${n}:${step}:${left}`;
  if (xCache?.key !== key) {
    const xs: string[] = [];
    for (let i = 0; i < n; i++) xs.push((left + i * step).toFixed(1));
    xCache = { key, xs };
  }
  return xCache.xs;
}
