/**
 * Packets a client sends while its CONNECT is still being authenticated (an async hook, a PBKDF2
 * on the thread pool): kept, in order, and replayed once it is accepted.
 */
import type { FrameBatch } from "../wasm/types.ts";
import type { HeldPackets } from "./core.ts";

/**
 * Copies frames `i`… of `batch` into `held` (the batch dies at the next push). A malformed frame
 * ends the copy: the client fails with its reason after the replay.
 */
export function holdFrames(held: HeldPackets, batch: FrameBatch, i: number): void {
  for (; i < batch.count; i++) {
    const reason = batch.reason(i);
    if (reason !== 0) {
      held.failReason = reason;
      return;
    }
    held.frames.push(batch.bytes.slice(batch.start(i), batch.start(i) + batch.length(i)));
  }
}

/** The held whole packets as one buffer, for one decoder push. */
export function joinFrames(frames: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const f of frames) size += f.length;
  const all = new Uint8Array(size);
  size = 0;
  for (const f of frames) {
    all.set(f, size);
    size += f.length;
  }
  return all;
}
