/**
 * Counters and histograms for the request path, updated by their label values in a fixed order.
 * prom-client hashes and validates a label object on every update (a few µs each; with about seven
 * updates a request, a sixth of a request's CPU in the benchmark). These find their series through
 * one map per label, value by value: the values are route and deployment names from the config and
 * constants, whose hashes V8 keeps, so an update allocates nothing (a key joined from the values
 * was a new string to hash on every update). The labels object is made once per series. They register on a
 * prom-client Registry as ordinary metrics (the `get()` shape its scrape reads), so `/metrics`
 * renders them like prom-client's own, escaping included.
 */
import type { Registry } from 'prom-client';

/** Label values in the instrument's `labelNames` order; undefined leaves a label out. */
export type LabelValues = readonly (string | undefined)[];

type Labels = Record<string, string | number>;

/** A map per label, keyed by its value; under the last label, the series. */
type SeriesTree<S> = Map<string | undefined, SeriesTree<S> | S>;

interface ExportedValue {
  labels: Labels;
  value: number;
  metricName?: string;
}

interface MetricSpec {
  name: string;
  help: string;
  labelNames: readonly string[];
  registry: Registry;
}

abstract class KeyedMetric<S extends { labels: Labels }> {
  readonly name: string;
  readonly help: string;
  abstract readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum';
  protected readonly series: S[] = [];
  /** Label value → next level, one level per label; the last level holds the series. */
  private readonly root: SeriesTree<S> = new Map();
  private readonly labelNames: readonly string[];

  constructor(spec: MetricSpec) {
    this.name = spec.name;
    this.help = spec.help;
    this.labelNames = spec.labelNames;
    spec.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  protected find(values: LabelValues, make: (labels: Labels) => S): S {
    if (values.length !== this.labelNames.length) throw new Error(`${this.name}: ${values.length} label values for ${this.labelNames.length} labels`);
    let level = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]) as SeriesTree<S> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(values[i], next);
      }
      level = next;
    }
    let found = level.get(values[last]) as S | undefined;
    if (found === undefined) {
      const labels: Labels = {};
      values.forEach((value, i) => {
        if (value !== undefined) labels[this.labelNames[i] as string] = value;
      });
      found = make(labels);
      level.set(values[last], found);
      this.series.push(found);
    }
    return found;
  }

  reset(): void {
    this.series.length = 0;
    this.root.clear();
  }

  abstract get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExportedValue[] }>;
}

export class KeyedCounter extends KeyedMetric<{ labels: Labels; value: number }> {
  readonly type = 'counter';

  inc(values: LabelValues, amount = 1): void {
    this.find(values, (labels) => ({ labels, value: 0 })).value += amount;
  }

  async get() {
    const values = this.series.map(({ labels, value }) => ({ labels, value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

interface HistogramSeries {
  labels: Labels;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class KeyedHistogram extends KeyedMetric<HistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(spec: MetricSpec & { buckets: readonly number[] }) {
    super(spec);
    this.bounds = spec.buckets;
  }

  observe(values: LabelValues, value: number): void {
    const series = this.find(values, (labels) => ({ labels, counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 }));
    let bucket = 0;
    while (bucket < this.bounds.length && value > (this.bounds[bucket] as number)) bucket++;
    series.counts[bucket] = (series.counts[bucket] as number) + 1;
    series.sum += value;
    series.count++;
  }

  async get() {
    const values: ExportedValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const { labels, counts, sum, count } of this.series) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += counts[i] as number;
        values.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: bucketName });
      });
      values.push({ labels: { ...labels, le: '+Inf' }, value: count, metricName: bucketName });
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
