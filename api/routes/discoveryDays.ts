/** UTC day arithmetic for download windows (`YYYY-MM-DD`, inclusive ranges). */

export function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The day `n` days before `day` (n may be negative). */
export function daysBefore(day: string, n: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) - n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Every day of [from, to], oldest first. */
export function dayRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}
