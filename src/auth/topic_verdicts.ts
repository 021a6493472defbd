/**
 * A small direct-mapped cache from topic bytes to a client's read and write answers, so the
 * PUBLISH hot path and each delivery check access without making a topic string: a hash over the
 * bytes (computed once per PUBLISH, shared by all its subscribers), one slot, one byte compare.
 * A miss falls back to the string-keyed answers in ClientAccess. Made on first use; 32 slots
 * keep it near 400 bytes per client.
 */

const SLOTS = 32;
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

  /** 1 yes, 0 no, -1 not cached. */
  get(kind: 0 | 1, bytes: Uint8Array, off: number, len: number, hash: number): number {
    const slot = hash & (SLOTS - 1);
    const key = this.keys[slot];
    if (key === null || this.hashes[slot] !== hash || key.length !== len) return UNKNOWN;
    for (let i = 0; i < len; i++) if (key[i] !== bytes[off + i]) return UNKNOWN;
    return this.answers[slot * 2 + kind];
  }

  /** Remembers an answer (evicting whatever topic held the slot). */
  set(kind: 0 | 1, bytes: Uint8Array, off: number, len: number, hash: number, yes: boolean): void {
    const slot = hash & (SLOTS - 1);
    const key = this.keys[slot];
    let same = key !== null && this.hashes[slot] === hash && key.length === len;
    for (let i = 0; same && i < len; i++) same = key![i] === bytes[off + i];
    if (!same) {
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
}
