/**
 * A small cache from topic bytes to a client's read and write answers, so the PUBLISH hot path and
 * each delivery check access without making a topic string: a hash over the bytes (computed once
 * per PUBLISH, shared by all its subscribers), up to PROBE slots, a byte compare. A miss falls back
 * to the string-keyed answers in ClientAccess. Made on first use; 32 slots keep it near 400 bytes
 * per client, and probing keeps a client's few hot topics from evicting each other.
 */

const SLOTS = 32;
const PROBE = 4;
const UNKNOWN = -1;

/** FNV-1a over `bytes[off, off+len)`, as a non-negative 31-bit integer. */
export function topicHash(bytes: Uint8Array, off: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = off, end = off + len; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h & 0x7fffffff;
}

/** Read (kind 0) and write (kind 1) answers by topic bytes. */
export class TopicVerdicts {
  private readonly keys: Array<Uint8Array | null> = new Array(SLOTS).fill(null);
  private readonly hashes = new Int32Array(SLOTS);
  /** Two per slot: [read, write], -1 = not known. */
  private readonly answers = new Int8Array(SLOTS * 2).fill(UNKNOWN);
  /** Which of a full probe run's slots the next new topic takes (round robin). */
  private victim = 0;

  /** 1 yes, 0 no, -1 not cached. */
  get(kind: 0 | 1, bytes: Uint8Array, off: number, len: number, hash: number): number {
    const slot = this.find(bytes, off, len, hash);
    return slot < 0 ? UNKNOWN : this.answers[slot * 2 + kind];
  }

  /** Remembers an answer (a full probe run gives up one of its topics). */
  set(kind: 0 | 1, bytes: Uint8Array, off: number, len: number, hash: number, yes: boolean): void {
    let slot = this.find(bytes, off, len, hash);
    if (slot < 0) {
      for (let p = 0; p < PROBE && slot < 0; p++) if (this.keys[(hash + p) & (SLOTS - 1)] === null) slot = (hash + p) & (SLOTS - 1);
      if (slot < 0) slot = (hash + (this.victim++ % PROBE)) & (SLOTS - 1);
      this.keys[slot] = bytes.slice(off, off + len);
      this.hashes[slot] = hash;
      this.answers[slot * 2] = UNKNOWN;
      this.answers[slot * 2 + 1] = UNKNOWN;
    }
    this.answers[slot * 2 + kind] = yes ? 1 : 0;
  }

  /** Forgets everything (the rules changed). */
  clear(): void {
    this.keys.fill(null);
    this.answers.fill(UNKNOWN);
  }

  /** The slot holding this topic, or -1. */
  private find(bytes: Uint8Array, off: number, len: number, hash: number): number {
    for (let p = 0; p < PROBE; p++) {
      const slot = (hash + p) & (SLOTS - 1);
      const key = this.keys[slot];
      if (key === null) return -1; // slots fill in probe order and are only emptied all at once
      if (this.hashes[slot] !== hash || key.length !== len) continue;
      let i = 0;
      while (i < len && key[i] === bytes[off + i]) i++;
      if (i === len) return slot;
    }
    return -1;
  }
}
