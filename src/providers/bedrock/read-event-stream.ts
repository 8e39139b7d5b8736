/**
 * Turns an `application/vnd.amazon.eventstream` byte stream into messages, pulling from the socket
 * only as fast as the consumer asks. Framing is by each message's length prelude; decoding (headers,
 * both CRC checks) is @smithy/eventstream-codec's.
 */
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { GatewayError } from '../../errors.js';
import { malformedUpstream } from '../openai/map-openai-response.js';

/** Total length, headers length and prelude CRC: 12 bytes, then headers, body and the message CRC (4). */
const PRELUDE_BYTES = 12;
const MIN_MESSAGE_BYTES = 16;
/** The event-stream spec's largest message (16 MiB); a larger prelude is garbage, not a message. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const codec = new EventStreamCodec(toUtf8, fromUtf8);

export type { Message };

export async function* readEventStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<Message, void> {
  /** What is left of the last join: the start of the next message, if any. */
  let buffer: Buffer = Buffer.alloc(0);
  // Chunks are kept apart until they can complete the next message, then joined once: joined as
  // each arrived, a 16 MiB message in 16 KB chunks was copied a thousand times (23 s).
  const parts: Uint8Array[] = [];
  let held = 0;
  /** The bytes that would complete the next message: its length once its prelude is in. */
  let needed = PRELUDE_BYTES;
  for await (const bytes of body) {
    parts.push(bytes);
    held += bytes.length;
    if (buffer.length + held < needed) continue;
    // A copy even of one chunk: a message must not hold on to the socket's buffer.
    buffer = Buffer.concat(buffer.length === 0 ? parts : [buffer, ...parts]);
    parts.length = 0;
    held = 0;
    needed = PRELUDE_BYTES;
    while (buffer.length >= PRELUDE_BYTES) {
      const total = buffer.readUInt32BE(0);
      if (total < MIN_MESSAGE_BYTES || total > MAX_MESSAGE_BYTES) throw malformedUpstream('The upstream sent an event-stream message with an impossible length.');
      if (buffer.length < total) {
        needed = total;
        break;
      }
      yield decode(buffer.subarray(0, total));
      buffer = buffer.subarray(total);
    }
  }
  if (buffer.length + held > 0) {
    throw new GatewayError('The upstream event stream ended in the middle of a message.', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
  }
}

function decode(frame: Uint8Array): Message {
  try {
    return codec.decode(frame);
  } catch {
    throw malformedUpstream('The upstream sent an event-stream message that does not decode (bad checksum or headers).');
  }
}

/** A string header of a message (`:event-type`, `:message-type`, ...), if it has one. */
export function stringHeader(message: Message, name: string): string | undefined {
  const header = message.headers[name];
  return header?.type === 'string' ? header.value : undefined;
}
