/**
 * The three metric kinds of MetricsRegistry. Label sets are keyed by their values joined in
 * label order; values are escaped as the exposition format requires.
 */

export type Labels<L extends string> = { readonly [K in L]: string | number };

export interface Metric {
  readonly name: string;
  render(): string;
}

abstract class Base<L extends string> implements Metric {
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly L[], private readonly type: string) {
    for (const l of labelNames) if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l) || l === 'le') throw new Error(`bad label ${l}`);
  }

  protected key(labels: Labels<L> | undefined): string {
    return this.labelNames.map((n) => String(labels?.[n] ?? '')).join('\u0000');
  }

  protected labelText(key: string, extra?: [string, string]): string {
    const values = key === '' && this.labelNames.length === 0 ? [] : key.split('\u0000');
    const pairs = this.labelNames.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
    if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
    return pairs.length ? `{${pairs.join(',')}}` : '';
  }

  protected header(): string {
    return `# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${this.name} ${this.type}\n`;
  }

  abstract render(): string;
}

export class Counter<L extends string> extends Base<L> {
  private readonly values = new Map<string, number>();

  constructor(name: string, help: string, labelNames: readonly L[]) {
    super(name, help, labelNames, 'counter');
  }

  inc(labels?: Labels<L>, by = 1): void {
    if (by < 0) throw new Error('a counter only goes up');
    const k = this.key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  get(labels?: Labels<L>): number {
    return this.values.get(this.key(labels)) ?? 0;
  }

  render(): string {
    let out = this.header();
    if (this.labelNames.length === 0 && this.values.size === 0) out += `${this.name} 0\n`;
    for (const [k, v] of this.values) out += `${this.name}${this.labelText(k)} ${formatNumber(v)}\n`;
    return out;
  }
}

export class Gauge<L extends string> extends Base<L> {
  private readonly values = new Map<string, number>();

  constructor(name: string, help: string, labelNames: readonly L[], private readonly collect?: (g: Gauge<L>) => void) {
    super(name, help, labelNames, 'gauge');
  }

  set(labels: Labels<L> | undefined, value: number): void {
    this.values.set(this.key(labels), value);
  }

  get(labels?: Labels<L>): number {
    return this.values.get(this.key(labels)) ?? 0;
  }

  render(): string {
    this.collect?.(this);
    let out = this.header();
    for (const [k, v] of this.values) out += `${this.name}${this.labelText(k)} ${formatNumber(v)}\n`;
    return out;
  }
}

interface HistogramSeries {
  counts: number[]; // per bucket, not cumulative
  sum: number;
  count: number;
}

export class Histogram<L extends string> extends Base<L> {
  private readonly series = new Map<string, HistogramSeries>();
  private readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]) {
    super(name, help, labelNames, 'histogram');
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels<L> | undefined, value: number): void {
    const k = this.key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    const i = this.buckets.findIndex((b) => value <= b);
    if (i !== -1) s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  /** Observations so far for one label set (tests read this). */
  count(labels?: Labels<L>): number {
    return this.series.get(this.key(labels))?.count ?? 0;
  }

  render(): string {
    let out = this.header();
    for (const [k, s] of this.series) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i]!;
        out += `${this.name}_bucket${this.labelText(k, ['le', formatNumber(b)])} ${cumulative}\n`;
      });
      out += `${this.name}_bucket${this.labelText(k, ['le', '+Inf'])} ${s.count}\n`;
      out += `${this.name}_sum${this.labelText(k)} ${formatNumber(s.sum)}\n`;
      out += `${this.name}_count${this.labelText(k)} ${s.count}\n`;
    }
    return out;
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
