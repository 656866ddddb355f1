/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format (version 0.0.4) that Prometheus scrapes from GET /metrics. One
 * registry per app (no global default registry), so tests and several apps in one process
 * never share numbers.
 *
 * @example
 *   const m = new MetricsRegistry();
 *   const hits = m.counter({ name: 'raven_hits_total', help: 'Hits.', labels: ['route'] });
 *   hits.inc({ route: '/x' });
 *   m.render(); // "# HELP raven_hits_total Hits.\n# TYPE raven_hits_total counter\n…"
 */
import { Counter, Gauge, Histogram, type Metric } from './metricTypes.ts';

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labels?: readonly L[];
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter<L extends string = never>(o: MetricOptions<L>): Counter<L> {
    return this.add(new Counter<L>(o.name, o.help, o.labels ?? []));
  }

  /** `collect` (optional) is called at render time to set the current values. */
  gauge<L extends string = never>(o: MetricOptions<L> & { collect?: (g: Gauge<L>) => void }): Gauge<L> {
    return this.add(new Gauge<L>(o.name, o.help, o.labels ?? [], o.collect));
  }

  histogram<L extends string = never>(o: MetricOptions<L> & { buckets: readonly number[] }): Histogram<L> {
    return this.add(new Histogram<L>(o.name, o.help, o.labels ?? [], o.buckets));
  }

  /** The whole registry in Prometheus text format. */
  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join('');
  }

  private add<M extends Metric>(m: M): M {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(m.name)) throw new Error(`bad metric name ${m.name}`);
    if (this.metrics.has(m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.set(m.name, m);
    return m;
  }
}

/** Content-Type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
