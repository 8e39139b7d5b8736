/**
 * Decodes an OTLP/HTTP protobuf trace export (ExportTraceServiceRequest) into the shape of OTLP's
 * JSON encoding, for the test receiver. Written from opentelemetry-proto's trace.proto and
 * common.proto (field numbers below) and the protobuf wire format; it reads what the receiver
 * needs and skips the rest.
 */

/** One field: its number, and its value by wire type (varint and fixed64 as bigint, length-delimited as bytes). */
interface Field {
  field: number;
  value: bigint | number | Buffer;
}

function readVarint(buf: Buffer, at: { pos: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[at.pos++];
    if (byte === undefined) throw new Error('truncated varint');
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7n;
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    const tag = Number(readVarint(buf, at));
    const field = tag >>> 3;
    switch (tag & 7) {
      case 0:
        out.push({ field, value: readVarint(buf, at) });
        break;
      case 1:
        out.push({ field, value: buf.readBigUInt64LE(at.pos) });
        at.pos += 8;
        break;
      case 2: {
        const length = Number(readVarint(buf, at));
        out.push({ field, value: buf.subarray(at.pos, at.pos + length) });
        at.pos += length;
        break;
      }
      case 5:
        out.push({ field, value: buf.readUInt32LE(at.pos) });
        at.pos += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${tag & 7}`);
    }
  }
  return out;
}

const bytesOf = (list: Field[], field: number): Buffer[] => list.filter((f) => f.field === field).map((f) => f.value as Buffer);
const one = (list: Field[], field: number): Field['value'] | undefined => list.find((f) => f.field === field)?.value;
const text = (value: Field['value'] | undefined): string | undefined => (value === undefined ? undefined : (value as Buffer).toString('utf8'));

/** AnyValue: string_value 1, bool_value 2, int_value 3, double_value 4, array_value 5 (ArrayValue: values 1). */
function anyValue(buf: Buffer): Record<string, unknown> {
  const list = fields(buf);
  const [first] = list;
  if (first === undefined) return {};
  switch (first.field) {
    case 1:
      return { stringValue: text(first.value) };
    case 2:
      return { boolValue: first.value === 1n };
    case 3:
      return { intValue: String(BigInt.asIntN(64, first.value as bigint)) };
    case 4: {
      const bits = Buffer.alloc(8);
      bits.writeBigUInt64LE(first.value as bigint);
      return { doubleValue: bits.readDoubleLE(0) };
    }
    case 5:
      return { arrayValue: { values: bytesOf(fields(first.value as Buffer), 1).map(anyValue) } };
    default:
      return {};
  }
}

/** KeyValue: key 1, value 2. */
function attributes(list: Buffer[]): { key: string; value: Record<string, unknown> }[] {
  return list.map((kv) => {
    const f = fields(kv);
    const value = one(f, 2);
    return { key: text(one(f, 1)) ?? '', value: value === undefined ? {} : anyValue(value as Buffer) };
  });
}

/**
 * ExportTraceServiceRequest: resource_spans 1. ResourceSpans: resource 1 (Resource: attributes 1),
 * scope_spans 2. ScopeSpans: scope 1 (InstrumentationScope: name 1), spans 2. Span: trace_id 1,
 * span_id 2, parent_span_id 4, name 5, kind 6, start_time_unix_nano 7, end_time_unix_nano 8,
 * attributes 9, status 15 (Status: message 2, code 3).
 */
export function decodeTraceExport(buf: Buffer): unknown {
  return {
    resourceSpans: bytesOf(fields(buf), 1).map((resourceSpans) => {
      const rs = fields(resourceSpans);
      const resource = one(rs, 1);
      return {
        resource: { attributes: resource === undefined ? [] : attributes(bytesOf(fields(resource as Buffer), 1)) },
        scopeSpans: bytesOf(rs, 2).map((scopeSpans) => {
          const ss = fields(scopeSpans);
          const scope = one(ss, 1);
          return {
            scope: { name: scope === undefined ? undefined : text(one(fields(scope as Buffer), 1)) },
            spans: bytesOf(ss, 2).map((spanBytes) => {
              const span = fields(spanBytes);
              const status = one(span, 15);
              const statusFields = status === undefined ? [] : fields(status as Buffer);
              const code = one(statusFields, 3);
              const parent = one(span, 4) as Buffer | undefined;
              return {
                traceId: (one(span, 1) as Buffer).toString('hex'),
                spanId: (one(span, 2) as Buffer).toString('hex'),
                parentSpanId: parent && parent.length > 0 ? parent.toString('hex') : undefined,
                name: text(one(span, 5)) ?? '',
                kind: Number(one(span, 6) ?? 0n),
                startTimeUnixNano: String(one(span, 7) ?? 0n),
                endTimeUnixNano: String(one(span, 8) ?? 0n),
                attributes: attributes(bytesOf(span, 9)),
                status: { code: code === undefined ? undefined : Number(code), message: text(one(statusFields, 2)) },
              };
            }),
          };
        }),
      };
    }),
  };
}
