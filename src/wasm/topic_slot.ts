/**
 * The topic slot: the last PUBLISH topic's UTF-8, kept in the encoder's scratch region after the
 * bytes packets use (its last SLOT_BYTES), so a topic sent again is neither converted nor copied
 * again — a one-entry cache. A stamp word before the bytes names the write they belong to: bytes
 * something else overwrote (another encoder on the same codec instance) are never reused.
 */
import { topicNameFault } from "./encode_errors.ts";

/** Scratch bytes kept for the slot: a stamp word, then the topic. */
export const SLOT_BYTES = 1024;
/** Longest topic (UTF-16 units) the slot takes: at most 3 UTF-8 bytes per unit. */
const SLOT_UNITS = Math.floor((SLOT_BYTES - 4) / 3);

const utf8 = new TextEncoder();

/** Last stamp handed out by any slot (u32, never 0). */
let lastStamp = 0;

/** One encoder's view of the slot at the end of its scratch region. */
export class TopicSlot {
  /** Scratch-relative offset of the topic bytes. */
  offset = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private words: Uint32Array = new Uint32Array(0);
  private stampWord = -1;
  /** topicNameFault of the topic the slot holds: checked once per topic, not once per packet. */
  fault = -1;
  /** The topic the slot holds, its UTF-8 length and stamp ("" is valid anywhere: it has no bytes). */
  private topic = "";
  private length = 0;
  private stamp = 0;

  /**
   * Puts the slot at the end of the scratch region (`cap` bytes at `scratch`; views made here only).
   * When that moved it, the topic it held is written again at the new place (the packet being
   * filled may use it).
   */
  place(u8: Uint8Array, u32: Uint32Array, scratch: number, cap: number): void {
    const at = scratch + cap - SLOT_BYTES; // 4-aligned: scratch is heap-aligned, cap a power of two
    const moved = at >>> 2 !== this.stampWord;
    this.stampWord = at >>> 2;
    this.offset = cap - SLOT_BYTES + 4;
    this.words = u32;
    this.bytes = u8.subarray(at + 4, at + SLOT_BYTES);
    if (moved) this.encode(this.topic);
  }

  /** Writes `s` as UTF-8 into the slot unless it holds it already; its byte length, or -1 if too long. */
  write(s: string): number {
    if (s === this.topic && this.words[this.stampWord] === this.stamp) return this.length;
    if (s.length > SLOT_UNITS) return -1;
    this.encode(s);
    return this.length;
  }

  /** Encodes `s` (it fits) into the slot under a new stamp. */
  private encode(s: string): void {
    this.length = utf8.encodeInto(s, this.bytes).written; // lone surrogates become U+FFFD, as everywhere
    lastStamp = (lastStamp + 1) >>> 0 || 1;
    this.words[this.stampWord] = lastStamp;
    this.stamp = lastStamp;
    if (s !== this.topic) this.fault = topicNameFault(s);
    this.topic = s;
  }
}
