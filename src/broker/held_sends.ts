/**
 * Packets held back from a client until the group commit that holds their effect is on disk: an
 * ack (PUBACK, PUBREC, SUBACK, CONNACK) is a promise that the effect survives a crash. Once a
 * client has something held, everything later to it is held too, so the packets keep their
 * order (a CONNACK before the resumed session's messages, a PUBACK before a later one).
 *
 * A module-level map rather than a field: a client without durable state costs nothing, and
 * Client.send checks one size when nothing is held anywhere.
 */
import type { GroupCommit } from "../storage/group_commit.ts";

/** Something with a socket to write to (a Client). */
export interface HoldTarget {
  /** Writes to the socket now (the copy the transport makes is the caller's). */
  writeNow(bytes: Uint8Array): void;
}

/** Clients with packets waiting for a commit → those packets (copied: callers reuse buffers). */
export const HELD = new Map<HoldTarget, Uint8Array[]>();

/**
 * From now until `log`'s current group is committed, packets to `target` wait. No-op when it is
 * already held (its release is already registered).
 */
export function holdUntilCommit(log: GroupCommit, target: HoldTarget): void {
  if (HELD.has(target)) return;
  HELD.set(target, []);
  log.afterCommit(() => release(target));
}

/** Writes what was held for `target`, in order, and stops holding. */
export function release(target: HoldTarget): void {
  const held = HELD.get(target);
  if (held === undefined) return;
  HELD.delete(target);
  for (const b of held) target.writeNow(b);
}
