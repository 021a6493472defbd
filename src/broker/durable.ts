/**
 * What the protocol handlers tell the storage journal, in one place: which sessions are stored
 * (those that outlive their connection: 3.1.1 clean session 0, v5 Session Expiry > 0), their
 * subscriptions, and which acks must wait for the commit holding their effect. Every function is
 * a no-op without a journal (memory mode), and a clean session never reaches the journal.
 */
import { ReasonCode } from "../protocol/reason_codes.ts";
import type { Session } from "../session/session.ts";
import type { Will } from "../protocol/packets.ts";
import { storedMessage } from "../storage/journal.ts";
import { willMessage } from "./lifecycle.ts";
import type { BrokerCore } from "./core.ts";
import { HELD, holdUntilCommit, type HoldTarget } from "./held_sends.ts";

/**
 * A connection took `s` (new or resumed) with its CONNECT's expiry interval set: store it when it
 * outlives the connection, forget it when it no longer does (v5 expiry 0 on a resumed session).
 */
export function sessionAttached(core: BrokerCore, s: Session): void {
  const j = core.journal;
  if (s.expiryInterval > 0) {
    if (!s.durable) {
      s.durable = true;
      core.stats.persistentSessions++;
      // A session that ended with its connection until now: its subscriptions are stored too.
      if (j !== null) for (const [filter, sub] of s.subscriptions) j.subscriptionPut(s.clientId, filter, sub.options, sub.subscriptionId);
    }
    j?.sessionPut(s.clientId, s.expiryInterval, 0, core.clock.now(), sessionUser(core, s));
    if (j !== null) willAttached(core, s);
  } else if (s.durable) {
    s.durable = false;
    core.stats.persistentSessions--;
    j?.sessionDelete(s.clientId);
  }
}

/**
 * A stored session's will while its connection lives (due 0: it applies when the connection ends
 * without DISCONNECT, the broker's crash included); none replaces one left pending [MQTT-3.1.3-9].
 */
function willAttached(core: BrokerCore, s: Session): void {
  const j = core.journal!;
  const will = s.will;
  if (will === null) return j.willDelete(s.clientId);
  const msg = storedMessage(willMessage(core.encoder, will, s.sid));
  j.willPut({ clientId: s.clientId, message: msg, delay: will.properties?.willDelayInterval ?? 0, dueAt: 0 });
}

/**
 * The connection left a stored session: its will now waits for its delay (stored with the
 * deadline, so a restart still sends it on time), or there is none any more (DISCONNECT, or
 * published at once).
 */
export function willDetached(core: BrokerCore, s: Session, will: Will | null): void {
  const j = core.journal;
  if (j === null || !s.durable) return;
  const delay = will?.properties?.willDelayInterval ?? 0;
  if (will === null || delay === 0) return j.willDelete(s.clientId);
  const msg = storedMessage(willMessage(core.encoder, will, s.sid));
  j.willPut({ clientId: s.clientId, message: msg, delay, dueAt: core.clock.now() + delay * 1000 });
}

/** A will was published: a stored session no longer has one. */
export function willGone(core: BrokerCore, clientId: string): void {
  if (core.journal !== null && core.sessions.get(clientId)?.durable === true) core.journal.willDelete(clientId);
}

/**
 * maxPersistentSessions: 0 when a CONNECT asking for a session that outlives it (`expiry` > 0)
 * may have one, else Quota exceeded. Resuming or replacing a stored session adds none.
 */
export function sessionQuota(core: BrokerCore, clientId: string, expiry: number): number {
  const max = core.opts.maxPersistentSessions;
  if (expiry === 0 || max === 0 || core.stats.persistentSessions < max) return 0;
  if (core.sessions.get(clientId)?.durable === true) return 0;
  const n = ++core.stats.refusedSessionQuota;
  if (n % 1000 === 1) core.opts.log(`client ${clientId}: refused: ${max} persistent sessions stored (maxPersistentSessions; ${n} refused so far)`);
  return ReasonCode.QuotaExceeded;
}

/** The connection left a stored session: record its expiry deadline (0 = never). */
export function sessionDetached(core: BrokerCore, s: Session, expiresAt: number): void {
  const j = core.journal;
  if (j !== null && s.durable) j.sessionPut(s.clientId, s.expiryInterval, expiresAt, core.clock.now(), sessionUser(core, s));
}

/** The user the session's last connection authenticated as (stored so access decisions survive a restart). */
function sessionUser(core: BrokerCore, s: Session): string | undefined {
  return core.sessions.gated ? core.sessions.access[s.sid]?.username : undefined;
}

/** A session ended (expired, clean start, expiry 0 at disconnect): delete what was stored. */
export function sessionEnded(core: BrokerCore, s: Session): void {
  if (!s.durable) return;
  s.durable = false;
  core.stats.persistentSessions--;
  core.journal?.sessionDelete(s.clientId);
}

/** A stored session subscribed. */
export function subscriptionAdded(core: BrokerCore, s: Session, filter: string, options: number, subscriptionId: number): void {
  if (s.durable) core.journal?.subscriptionPut(s.clientId, filter, options, subscriptionId);
}

/** A stored session unsubscribed. */
export function subscriptionRemoved(core: BrokerCore, s: Session, filter: string): void {
  if (s.durable) core.journal?.subscriptionDelete(s.clientId, filter);
}

/**
 * A connection is about to be closed by the broker (or said DISCONNECT): commit now so what was
 * held for it (acks, then the DISCONNECT after them) is written before the socket closes.
 */
export function flushHeld(core: BrokerCore, client: HoldTarget): void {
  if (HELD.size !== 0 && HELD.has(client)) core.journal?.log.commitNow();
}

/** The journal's position, for ackAfterCommit (0 without a journal). */
export function journalMark(core: BrokerCore): number {
  const j = core.journal;
  return j === null ? 0 : j.recorded;
}

/**
 * When something was recorded since `mark`, the packets to `client` from now on (the ack about to
 * be sent first) wait until that commit returns.
 */
export function ackAfterCommit(core: BrokerCore, client: HoldTarget, mark: number): void {
  const j = core.journal;
  if (j !== null && j.recorded !== mark) holdUntilCommit(j.log, client);
}
