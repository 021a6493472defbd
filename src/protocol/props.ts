/**
 * Just enough MQTT 5 property walking for forwarding: drop the properties that belong to one hop
 * (Topic Alias [MQTT-3.3.2-7]; Subscription Identifier is added per subscriber) and keep the rest
 * byte for byte (Payload Format, Message Expiry, Content Type, Response Topic, Correlation Data,
 * User Properties are forwarded unaltered [MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17]).
 */
import { PropertyId } from "./packets.ts";

/** Size in bytes of a property value starting at `o` (after its identifier), or -1 if unknown. */
function valueSize(id: number, b: Uint8Array, o: number): number {
  switch (id) {
    case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2a:
      return 1;
    case 0x13: case 0x21: case 0x22: case 0x23:
      return 2;
    case 0x02: case 0x11: case 0x18: case 0x27:
      return 4;
    case 0x0b: {
      let n = 1;
      while (b[o + n - 1] & 0x80 && n < 4) n++;
      return n;
    }
    case 0x03: case 0x08: case 0x09: case 0x12: case 0x15: case 0x16: case 0x1a: case 0x1c: case 0x1f:
      return 2 + ((b[o] << 8) | b[o + 1]);
    case 0x26: {
      const k = 2 + ((b[o] << 8) | b[o + 1]);
      return k + 2 + ((b[o + k] << 8) | b[o + k + 1]);
    }
    default:
      return -1;
  }
}

/**
 * A copy of the property block `b[off, off+len)` without Topic Alias and Subscription Identifier.
 * The decoder validated the block, so identifiers are known and lengths are in range.
 */
export function forwardableProps(b: Uint8Array, off: number, len: number): Uint8Array {
  const end = off + len;
  const out = new Uint8Array(len);
  let w = 0;
  for (let o = off; o < end;) {
    const id = b[o];
    const size = valueSize(id, b, o + 1);
    if (size < 0) break;
    const next = o + 1 + size;
    if (id !== PropertyId.TopicAlias && id !== PropertyId.SubscriptionIdentifier) {
      out.set(b.subarray(o, next), w);
      w += next - o;
    }
    o = next;
  }
  return w === len ? out : out.slice(0, w);
}

/** True when the block carries nothing to strip, so its bytes can be forwarded as they are. */
export function propsForwardAsIs(b: Uint8Array, off: number, len: number): boolean {
  const end = off + len;
  for (let o = off; o < end;) {
    const id = b[o];
    if (id === PropertyId.TopicAlias || id === PropertyId.SubscriptionIdentifier) return false;
    const size = valueSize(id, b, o + 1);
    if (size < 0) return false;
    o += 1 + size;
  }
  return true;
}

/** Offset of the value of the first property `id` in `b[off, off+len)` (whole `b` by default), or -1. */
export function findProperty(b: Uint8Array, id: number, off = 0, len = b.length - off): number {
  const end = off + len;
  for (let o = off; o < end;) {
    if (b[o] === id) return o + 1;
    const size = valueSize(b[o], b, o + 1);
    if (size < 0) return -1;
    o += 1 + size;
  }
  return -1;
}
