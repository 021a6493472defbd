/**
 * A PUBLISH being routed straight out of the decoder's frame table. Nothing is copied unless a
 * delivery needs it: QoS 0 subscribers at the publisher's level get the publisher's own bytes;
 * every other (level class, QoS, retain) variant is encoded once per publish and shared, with the
 * packet id patched per subscriber. A stable Message copy is made only for QoS > 0 and retain.
 * Valid only during the synchronous routing of one frame (decoder views die at the next push).
 */
import type { ProtocolLevel, QoS } from "../protocol/packets.ts";
import type { FrameBatch } from "../wasm/types.ts";
import type { PacketEncoder } from "../wasm/encoder.ts";
import { buildPublish, type PublishParts } from "../protocol/wire.ts";
import { forwardableProps, propsForwardAsIs } from "../protocol/props.ts";
import { type Message, nextPublicationSerial, type Publication, stampExpiry } from "../session/message.ts";

const EMPTY: Uint8Array = new Uint8Array(0);
/** Packets longer than this are shared as a view of the frame rather than copied (render). */
const VIEW_OVER = 512;

/** One reusable instance per broker: `load` points it at the next frame. */
export class LivePublication implements Publication {
  qos: QoS = 0;
  retain = false;
  origin = -1;
  serial = -1;
  private batch!: FrameBatch;
  private i = 0;
  private level = 4;
  private topic: Uint8Array | null = null;
  private asIs = true;
  private props: Uint8Array | null = null;
  private msg: Message | null = null;
  private readonly variants: Array<Uint8Array | null> = new Array(16).fill(null);
  /** Bit k set: variants[k] holds a render of the current frame (cleared by the next load). */
  private rendered = 0;

  constructor(private readonly encoder: PacketEncoder | null, private readonly now: () => number) {}

  /**
   * Points at frame `i`. `topic` replaces the frame's topic (an inbound Topic Alias resolved to
   * its topic), else null.
   */
  load(batch: FrameBatch, i: number, level: number, origin: number, topic: Uint8Array | null): this {
    this.batch = batch;
    this.i = i;
    this.level = level;
    this.origin = origin;
    this.serial = nextPublicationSerial();
    this.topic = topic;
    const flags = batch.flags(i);
    this.qos = ((flags >> 1) & 3) as QoS;
    this.retain = (flags & 1) !== 0;
    this.msg = null;
    this.props = null;
    this.asIs = level < 5 || propsForwardAsIs(batch.bytes, batch.propertiesOffset(i), batch.propertiesLength(i));
    for (let k = 0, bits = this.rendered; bits !== 0; k++, bits >>>= 1) if ((bits & 1) !== 0) this.variants[k] = null;
    this.rendered = 0;
    return this;
  }

  /** The topic bytes (a view; copy to keep). */
  topicBytes(): Uint8Array {
    if (this.topic !== null) return this.topic;
    const b = this.batch, i = this.i, off = b.topicOffset(i);
    return b.bytes.subarray(off, off + b.topicLength(i));
  }

  /** Copies made straight from the frame: one allocation per part, no intermediate views. */
  message(): Message {
    if (this.msg !== null) return this.msg;
    const b = this.batch, i = this.i, bytes = b.bytes;
    const tOff = b.topicOffset(i);
    const topic = this.topic !== null ? this.topic.slice() : bytes.slice(tOff, tOff + b.topicLength(i));
    const pLen = this.level >= 5 ? b.propertiesLength(i) : 0;
    let props: Uint8Array = EMPTY;
    if (pLen > 0) {
      const pOff = b.propertiesOffset(i);
      props = this.asIs ? bytes.slice(pOff, pOff + pLen) : (this.props ??= forwardableProps(bytes, pOff, pLen));
    }
    const payOff = b.payloadOffset(i);
    this.msg = stampExpiry({
      topic, props, payload: bytes.slice(payOff, payOff + b.payloadLength(i)),
      qos: this.qos, retain: this.retain, origin: this.origin,
    }, this.now());
    return this.msg;
  }

  render(level: number, flags: number, subIds: number[] | null): Uint8Array {
    if (subIds !== null && level >= 5) {
      if (subIds.length === 1 && this.canEncode()) return this.encode(level, flags, subIds[0]);
      return buildPublish(this.parts(), flags, 0, level, subIds); // several ids: per subscriber anyway
    }
    const key = (level >= 5 ? 8 : 0) | (flags & 7);
    const cached = this.variants[key];
    if (cached !== null && cached.length > 0) return cached; // a view of grown memory reads as empty
    const b = this.batch, i = this.i;
    const same = (level >= 5) === (this.level >= 5) && (b.flags(i) & 0x0f) === (flags & 7) && this.topic === null && this.asIs;
    this.rendered |= 1 << key;
    // Nothing differs: the publisher's own bytes. A QoS 0 one as a view when large; small ones
    // are copied, which Bun does faster than it makes a view of WASM memory. QoS > 0 renders are
    // copies: each subscriber's packet id is patched in.
    const start = b.start(i), end = start + b.length(i);
    const bytes = !same ? this.encode(level, flags)
      : (flags & 6) === 0 && end - start > VIEW_OVER ? b.bytes.subarray(start, end) : b.bytes.slice(start, end);
    this.variants[key] = bytes;
    return bytes;
  }

  /**
   * True when the WASM encoder can build from the frame's own bytes: not when the topic came from
   * an alias (the frame holds none). Large packets are fine: a decoded batch survives the memory
   * growth their encode may cause.
   */
  private canEncode(): boolean {
    return this.encoder !== null && this.topic === null;
  }

  /**
   * A fresh PUBLISH for another level / flag set: one WASM call over the frame's bytes (it drops
   * per-hop properties itself), or assembled in JS when the topic came from an alias.
   */
  private encode(level: number, flags: number, subscriptionId = 0): Uint8Array {
    if (!this.canEncode()) return buildPublish(this.parts(), flags, 0, level, null);
    const b = this.batch, i = this.i, base = b.bytes.byteOffset;
    const placeholderId = (flags & 6) !== 0 ? 1 : 0; // the caller patches the real one in
    return this.encoder!.publishFrom(
      flags, placeholderId, base + b.topicOffset(i), b.topicLength(i), base + b.propertiesOffset(i),
      this.level >= 5 ? b.propertiesLength(i) : 0, base + b.payloadOffset(i), b.payloadLength(i),
      level as ProtocolLevel, subscriptionId,
    ).slice();
  }

  /**
   * Views of topic, forwardable properties and payload. Views are taken afresh on every call:
   * an encode may grow WASM memory, which detaches views taken before it.
   */
  private parts(): PublishParts {
    const b = this.batch, i = this.i, bytes = b.bytes;
    const pOff = b.propertiesOffset(i), pLen = this.level >= 5 ? b.propertiesLength(i) : 0;
    let props: Uint8Array = EMPTY;
    if (pLen > 0 && this.asIs) props = bytes.subarray(pOff, pOff + pLen);
    else if (pLen > 0) props = this.props ??= forwardableProps(bytes, pOff, pLen); // an owned copy
    const payOff = b.payloadOffset(i);
    return { topic: this.topicBytes(), props, payload: bytes.subarray(payOff, payOff + b.payloadLength(i)) };
  }
}
