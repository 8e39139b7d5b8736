/**
 * A parser of Prometheus' text exposition format (version 0.0.4), for tests: families by name with
 * their TYPE and HELP, and every sample with its labels (escapes decoded) and value. Histogram and
 * counter samples (`_bucket`, `_sum`, `_count`, `_total`) are grouped under their family.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let found = families.get(name);
    if (!found) {
      found = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, found);
    }
    return found;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) continue;
      const [, kind, name, rest] = match as unknown as [string, string, string, string];
      if (kind === 'TYPE') family(name).type = rest;
      else family(name).help = rest;
      continue;
    }
    const sample = parseSample(line);
    family(familyOf(sample.name, families)).samples.push(sample);
  }
  return families;
}

function familyOf(sampleName: string, families: Map<string, Family>): string {
  if (families.has(sampleName)) return sampleName;
  for (const suffix of ['_bucket', '_sum', '_count', '_total']) {
    if (sampleName.endsWith(suffix) && families.has(sampleName.slice(0, -suffix.length))) return sampleName.slice(0, -suffix.length);
  }
  throw new Error(`sample ${sampleName} has no TYPE line before it`);
}

function parseSample(line: string): Sample {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i] as string)) i++;
  const name = line.slice(0, i);
  if (!name) throw new Error(`no metric name in: ${line}`);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      const key = line.slice(i, eq).trim();
      if (line[eq + 1] !== '"') throw new Error(`label ${key} is not quoted in: ${line}`);
      let j = eq + 2;
      let value = '';
      while (line[j] !== '"') {
        if (j >= line.length) throw new Error(`unterminated label value in: ${line}`);
        if (line[j] === '\\') {
          const next = line[j + 1];
          value += next === 'n' ? '\n' : next;
          j += 2;
        } else {
          value += line[j];
          j++;
        }
      }
      labels[key] = value;
      i = j + 1;
      if (line[i] === ',') i++;
    }
    i++;
  }
  const [valueText] = line.slice(i).trim().split(/\s+/);
  // NaN in any case, as Prometheus reads it (prom-client writes `Nan`, e.g. the event-loop lag's mean with no sample since the last scrape).
  if (valueText !== undefined && /^nan$/i.test(valueText)) return { name, labels, value: Number.NaN };
  const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
  if (valueText === undefined || Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
  return { name, labels, value };
}

/** The samples of a family whose labels include `match`. */
export function samplesOf(families: Map<string, Family>, name: string, match: Record<string, string> = {}, sampleName = name): Sample[] {
  const found = families.get(name);
  if (!found) throw new Error(`no metric family ${name} in the scrape`);
  return found.samples.filter((sample) => sample.name === sampleName && Object.entries(match).every(([key, value]) => sample.labels[key] === value));
}

/** The one sample matching, or an error naming what was there. */
export function valueOf(families: Map<string, Family>, name: string, match: Record<string, string> = {}, sampleName = name): number {
  const found = samplesOf(families, name, match, sampleName);
  if (found.length !== 1) {
    const all = families.get(name)?.samples.map((s) => `${s.name}${JSON.stringify(s.labels)}=${s.value}`).join('\n  ');
    throw new Error(`expected one ${sampleName} sample matching ${JSON.stringify(match)}, found ${found.length}:\n  ${all}`);
  }
  return (found[0] as Sample).value;
}
