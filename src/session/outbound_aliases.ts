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
 * Topics are looked up by their bytes (an FNV-like hash, then a compare, both a 32-bit word at a
 * time): no string per packet.
 * The table is made on the first PUBLISH, so an idle connection pays nothing.
 */
import { writeAliasedPublish } from "../protocol/wire.ts";
import type { BatchWriter } from "../transport/types.ts";

const EMPTY = new Uint8Array(0);
/**
 * The most an aliased PUBLISH outgrows the original: the 3-byte Topic Alias property, plus one byte
 * each when the property length and the remaining length need a longer variable byte integer.
 */
const ALIAS_GROWTH = 5;

/**
 * Aliases one connection has assigned. Two steps per PUBLISH, so the rewritten packet is written
 * straight into the connection's outgoing batch (no scratch copy): prepare() decides, then the
 * connection calls writeInto() (as a BatchWriter) with room for what prepare() promised.
 */
export class OutboundAliases implements BatchWriter {
  private hashes: Int32Array | null = null;
  private aliases: Uint16Array | null = null;
  /** Per slot: the topic as [byte length, ...little-endian words]. */
  private topics: Array<Int32Array | undefined> = [];
  private assigned = 0;
  // The packet prepare() accepted, for writeInto().
  private packet: Uint8Array = EMPTY;
  private topicAt = 0;
  private alias = 0;
  private withTopic = false;

  /** @param maximum the most aliases to assign (≤ the client's Topic Alias Maximum). */
  constructor(readonly maximum: number) {}

  /** Aliases handed out so far. */
  get size(): number {
    return this.assigned;
  }

  /**
   * Decides how the PUBLISH `packet` (v5, as rendered for this connection) goes on the wire: -1
   * when unchanged (no alias left, or topic + alias would take it past `maximumPacketSize`), else
   * the most bytes the aliased packet takes; writeInto() then writes it (topic replaced by its
   * alias, or topic + a new alias on first use). Nothing may run in between. `serial` is the
   * Publication's (see Publication.serial; -1 = none): its topic is read and hashed once, however
   * many connections it goes to.
   */
  prepare(packet: Uint8Array, maximumPacketSize: number, serial = -1): number {
    let o = 1;
    while (packet[o] & 0x80) o++;
    o++;
    const topicLen = (packet[o] << 8) | packet[o + 1];
    if (topicLen === 0) return -1;
    const at = this.find(packet, o + 2, topicLen, serial);
    let alias = at >= 0 ? this.aliases![at] : 0;
    const first = alias === 0;
    if (first) {
      if (this.assigned >= this.maximum) return -1;
      // Grows the packet by the 3-byte property: not past the client's Maximum Packet Size.
      if (maximumPacketSize > 0 && packet.length + 4 > maximumPacketSize) return -1;
      alias = this.assign(topicLen, ~at);
    }
    this.packet = packet;
    this.topicAt = o;
    this.alias = alias;
    this.withTopic = first;
    return packet.length + ALIAS_GROWTH;
  }

  /** BatchWriter: the packet prepare() accepted, aliased, at `out[offset…]`. */
  writeInto(out: Uint8Array, offset: number): number {
    const n = writeAliasedPublish(out, offset, this.packet, this.topicAt, this.alias, this.withTopic);
    this.packet = EMPTY; // not kept alive (it may be a view of the decoder's memory)
    return n;
  }

  /** The slot holding `topic`, or ~(the empty slot where it would go). */
  private find(b: Uint8Array, off: number, len: number, serial: number): number {
    if (this.hashes === null) this.allocate();
    const hashes = this.hashes!, mask = hashes.length - 1;
    let h = loadedHash;
    if (serial < 0 || serial !== loadedSerial) {
      h = loadedHash = loadWords(b, off, len);
      loadedSerial = serial;
    }
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const k = hashes[slot];
      if (k === 0) return ~slot;
      if (k === h && sameWords(this.topics[slot]!, len)) return slot;
    }
  }

  /** Takes `slot` for the topic find() just loaded (its words are still in `words`). */
  private assign(len: number, slot: number): number {
    const alias = ++this.assigned;
    const n = (len + 3) >>> 2;
    const t = new Int32Array(n + 1);
    t[0] = len;
    for (let k = 0; k < n; k++) t[k + 1] = words[k];
    this.hashes![slot] = hashWords(len, n);
    this.aliases![slot] = alias;
    this.topics[slot] = t;
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

/**
 * The topic being looked up as little-endian 32-bit words, the last one zero-padded (a topic is at
 * most 65535 bytes): read from the packet once, then hashed and compared a word at a time, which
 * is about a third of the work of byte loops (measured with perf on the broker: the byte compare
 * was a third of apply()).
 */
const words = new Int32Array(16384);
/** The Publication.serial whose topic `words` holds (-1: none), and that topic's hash. */
let loadedSerial = -1;
let loadedHash = 0;

/** Loads the topic's words into `words` and returns their hash. */
function loadWords(b: Uint8Array, off: number, len: number): number {
  const whole = len >>> 2;
  let i = off;
  for (let k = 0; k < whole; k++, i += 4) words[k] = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
  const rest = len & 3;
  if (rest !== 0) {
    let w = b[i];
    if (rest > 1) w |= b[i + 1] << 8;
    if (rest > 2) w |= b[i + 2] << 16;
    words[whole] = w;
  }
  return hashWords(len, (len + 3) >>> 2);
}

/** A multiplicative hash (FNV-like, a word per step) of the first `n` of `words`, never 0 (0 marks an empty slot). */
function hashWords(len: number, n: number): number {
  let h = (0x811c9dc5 ^ len) | 0;
  for (let k = 0; k < n; k++) h = Math.imul(h ^ words[k], 0x01000193);
  h ^= h >>> 15;
  return h === 0 ? 1 : h;
}

/** True when stored topic `t` ([length, ...words]) is the one in `words`. */
function sameWords(t: Int32Array, len: number): boolean {
  if (t[0] !== len) return false;
  const n = t.length - 1;
  for (let k = 0; k < n; k++) if (t[k + 1] !== words[k]) return false;
  return true;
}
