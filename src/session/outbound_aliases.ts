/**
 * Server-to-client topic aliases of one MQTT 5 connection (MQTT 5.0 §3.3.2.3.4): the broker may
 * replace a topic it has sent before with a 2-byte alias, which is where most of a small message's
 * bytes go. Aliases are per connection, never above the client's Topic Alias Maximum
 * [MQTT-3.3.2-10], and never survive the connection (a reconnect starts empty) [MQTT-3.3.2-7].
 *
 * Policy: the first N distinct topics a connection receives get aliases 1..N for the life of the
 * connection (N = the lower of the client's maximum and config.outboundTopicAliasMaximum); later
 * topics are sent in full. It never thrashes (an alias is never re-mapped, so no packet carries
 * topic + alias twice for one topic), and a device's steady set of topics is what it learns first.
 *
 * Topics are looked up by their bytes (FNV-1a hash, then a byte compare): no string per packet.
 * The table is made on the first PUBLISH, so an idle connection pays nothing.
 */
import { writeAliasedPublish } from "../broker/wire.ts";

/** Rewritten packets are built here; the connection copies them at once. */
const scratch = new Uint8Array(64 * 1024);
/**
 * Views of `scratch` by length, made once each: a view per packet would be an allocation on the
 * hot path (the connection copies at once, so sharing a view is safe).
 */
const views: Array<Uint8Array | undefined> = [];

function scratchView(n: number): Uint8Array {
  return views[n] ??= scratch.subarray(0, n);
}

/** Aliases one connection has assigned. */
export class OutboundAliases {
  private hashes: Int32Array | null = null;
  private aliases: Uint16Array | null = null;
  private topics: Array<Uint8Array | undefined> = [];
  private assigned = 0;

  /** @param maximum the most aliases to assign (≤ the client's Topic Alias Maximum). */
  constructor(readonly maximum: number) {}

  /** Aliases handed out so far. */
  get size(): number {
    return this.assigned;
  }

  /**
   * The PUBLISH `packet` (v5, as rendered for this connection) as it should go on the wire: with
   * the topic replaced by its alias, with topic + a new alias (first use), or unchanged (no alias
   * left, or the alias would take it past `maximumPacketSize`). The result may be a view of a
   * shared scratch buffer: hand it to a write that copies at once.
   */
  apply(packet: Uint8Array, maximumPacketSize: number): Uint8Array {
    let o = 1;
    while (packet[o] & 0x80) o++;
    o++;
    const topicLen = (packet[o] << 8) | packet[o + 1];
    if (topicLen === 0) return packet;
    const at = this.find(packet, o + 2, topicLen);
    let alias = at >= 0 ? this.aliases![at] : 0;
    const first = alias === 0;
    if (first) {
      if (this.assigned >= this.maximum) return packet;
      // Grows the packet by the 3-byte property: not past the client's Maximum Packet Size.
      if (maximumPacketSize > 0 && packet.length + 4 > maximumPacketSize) return packet;
      alias = this.assign(packet, o + 2, topicLen, ~at);
    }
    const n = writeAliasedPublish(scratch, packet, o, alias, first);
    return n < 0 ? packet : scratchView(n);
  }

  /** The slot holding `topic`, or ~(the empty slot where it would go). */
  private find(b: Uint8Array, off: number, len: number): number {
    if (this.hashes === null) this.allocate();
    const hashes = this.hashes!, mask = hashes.length - 1;
    const h = hashBytes(b, off, len);
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const k = hashes[slot];
      if (k === 0) return ~slot;
      if (k === h && sameBytes(this.topics[slot]!, b, off, len)) return slot;
    }
  }

  private assign(b: Uint8Array, off: number, len: number, slot: number): number {
    const alias = ++this.assigned;
    this.hashes![slot] = hashBytes(b, off, len);
    this.aliases![slot] = alias;
    this.topics[slot] = b.slice(off, off + len);
    return alias;
  }

  private allocate(): void {
    let size = 4;
    while (size < this.maximum * 2) size *= 2; // at most half full: probes stay short
    this.hashes = new Int32Array(size);
    this.aliases = new Uint16Array(size);
    this.topics = new Array(size);
  }
}

/** A multiplicative hash over 4 bytes per step (FNV-like), never 0 (0 marks an empty slot). */
function hashBytes(b: Uint8Array, off: number, len: number): number {
  let h = (0x811c9dc5 ^ len) | 0;
  const end = off + len, whole = off + (len & ~3);
  let i = off;
  for (; i < whole; i += 4) h = Math.imul(h ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)), 0x01000193);
  for (; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  h ^= h >>> 15;
  return h === 0 ? 1 : h;
}

function sameBytes(a: Uint8Array, b: Uint8Array, off: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== b[off + i]) return false;
  return true;
}
