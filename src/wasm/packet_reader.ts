/**
 * Materialises a decoded frame as a Packet (src/protocol/packets.ts): the cold path. Strings are
 * UTF-8 decoded, byte fields copied (the batch memory is reused by the next push); an in-place
 * payload is a view of the pushed chunk.
 */
import type {
  AckPacket, ConnackPacket, ConnectPacket, Packet, Properties, PublishPacket, QoS, SubscribePacket,
  SubscriptionRequest, Will,
} from "../protocol/packets.ts";
import {
  CF_CLIENT_ID, CF_PASSWORD, CF_PROTOCOL_NAME, CF_USERNAME, CF_WILL_PAYLOAD, CF_WILL_PROPERTIES, CF_WILL_TOPIC,
  F_AUX, F_AUX2, F_CODE, F_FIELD_COUNT, F_FIELD_FIRST, F_FLAGS, F_PACKET_ID, F_PAYLOAD_LEN, F_PAYLOAD_OFF,
  F_PROP_COUNT, F_PROP_FIRST, F_TOPIC_LEN, F_TOPIC_OFF, FIELD_WORDS,
} from "../../wasm/assembly/codec/frame_layout.ts";
import type { DecodedBatch } from "./frame_batch.ts";
import { copyAt, readProperties, utf8At } from "./properties_reader.ts";

/** The frame's own properties (v5), or undefined. */
function props(b: DecodedBatch, i: number): Properties | undefined {
  return readProperties(b.i32, b.props, b.word(i, F_PROP_FIRST), b.word(i, F_PROP_COUNT), b.bytes);
}

/** Word `k` of field `n` of frame `i`. */
function field(b: DecodedBatch, i: number, n: number, k: number): number {
  return b.i32[b.fields + (b.word(i, F_FIELD_FIRST) + n) * FIELD_WORDS + k];
}

function fieldString(b: DecodedBatch, i: number, n: number): string {
  return utf8At(b.bytes, field(b, i, n, 0), field(b, i, n, 1));
}

function fieldBytes(b: DecodedBatch, i: number, n: number): Uint8Array {
  return copyAt(b.bytes, field(b, i, n, 0), field(b, i, n, 1));
}

/** Adds `properties` to a packet object only when there are some. */
function withProps<T extends object>(p: T, properties: Properties | undefined): T {
  if (properties) (p as { properties?: Properties }).properties = properties;
  return p;
}

function connect(b: DecodedBatch, i: number): ConnectPacket {
  const flags = b.word(i, F_AUX);
  const p: ConnectPacket = {
    type: 1, protocolName: fieldString(b, i, CF_PROTOCOL_NAME), protocolLevel: b.word(i, F_CODE) as 3 | 4 | 5,
    cleanStart: (flags & 2) !== 0, keepAlive: b.word(i, F_AUX2), clientId: fieldString(b, i, CF_CLIENT_ID),
  };
  if (flags & 4) {
    const will: Will = {
      topic: fieldString(b, i, CF_WILL_TOPIC), payload: fieldBytes(b, i, CF_WILL_PAYLOAD),
      qos: ((flags >> 3) & 3) as QoS, retain: (flags & 0x20) !== 0,
    };
    const first = field(b, i, CF_WILL_PROPERTIES, 2), count = field(b, i, CF_WILL_PROPERTIES, 3);
    p.will = withProps(will, readProperties(b.i32, b.props, first, count, b.bytes));
  }
  if (flags & 0x80) p.username = fieldString(b, i, CF_USERNAME);
  if (flags & 0x40) p.password = fieldBytes(b, i, CF_PASSWORD);
  return withProps(p, props(b, i));
}

function publish(b: DecodedBatch, i: number): PublishPacket {
  const flags = b.word(i, F_FLAGS), qos = ((flags >> 1) & 3) as QoS;
  const p: PublishPacket = {
    type: 3, dup: (flags & 8) !== 0, qos, retain: (flags & 1) !== 0,
    topic: utf8At(b.bytes, b.word(i, F_TOPIC_OFF), b.word(i, F_TOPIC_LEN)),
    payload: b.payloadInPlace(i) ? b.payload(i) : copyAt(b.bytes, b.word(i, F_PAYLOAD_OFF), b.word(i, F_PAYLOAD_LEN)),
  };
  if (qos > 0) p.packetId = b.word(i, F_PACKET_ID);
  return withProps(p, props(b, i));
}

function subscribe(b: DecodedBatch, i: number): SubscribePacket {
  const v5 = b.level(i) === 5, subscriptions: SubscriptionRequest[] = [];
  for (let n = 0; n < b.word(i, F_FIELD_COUNT); n++) {
    const o = field(b, i, n, 2), s: SubscriptionRequest = { filter: fieldString(b, i, n), qos: (o & 3) as QoS };
    if (v5) Object.assign(s, { noLocal: (o & 4) !== 0, retainAsPublished: (o & 8) !== 0, retainHandling: (o >> 4) & 3 });
    subscriptions.push(s);
  }
  return withProps({ type: 8, packetId: b.packetId(i), subscriptions }, props(b, i));
}

function codes(b: DecodedBatch, i: number): number[] {
  const off = b.word(i, F_PAYLOAD_OFF);
  return Array.from(b.bytes.subarray(off, off + b.word(i, F_PAYLOAD_LEN)));
}

/** Optional reason code (v5 short forms omit it). */
function withCode<T extends object>(p: T, code: number): T {
  if (code >= 0) (p as { reasonCode?: number }).reasonCode = code;
  return p;
}

/** Packet object for frame `i` of batch `b`. */
export function materialisePacket(b: DecodedBatch, i: number): Packet {
  const type = b.type(i), code = b.code(i);
  switch (type) {
    case 1: return connect(b, i);
    case 2: {
      const p: ConnackPacket = { type: 2, sessionPresent: (b.word(i, F_AUX) & 1) !== 0, reasonCode: code };
      return withProps(p, props(b, i));
    }
    case 3: return publish(b, i);
    case 4: case 5: case 6: case 7:
      return withProps(withCode({ type, packetId: b.packetId(i) } as AckPacket, code), props(b, i));
    case 8: return subscribe(b, i);
    case 9: return withProps({ type: 9, packetId: b.packetId(i), reasonCodes: codes(b, i) }, props(b, i));
    case 10: {
      const filters: string[] = [];
      for (let n = 0; n < b.word(i, F_FIELD_COUNT); n++) filters.push(fieldString(b, i, n));
      return withProps({ type: 10, packetId: b.packetId(i), filters }, props(b, i));
    }
    case 11: {
      const p = { type: 11 as const, packetId: b.packetId(i) };
      if (b.level(i) === 5) Object.assign(p, { reasonCodes: codes(b, i) });
      return withProps(p, props(b, i));
    }
    case 12: return { type: 12 };
    case 13: return { type: 13 };
    default:
      return withProps(withCode({ type: type as 14 | 15 }, code), props(b, i));
  }
}
