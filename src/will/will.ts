/**
 * Will delay (MQTT 5.0 §3.1.3.2.2): a will waits for its Will Delay Interval on the shared timer
 * wheel. It goes out at whichever comes first, the delay or the end of the session; a new
 * connection to the session before then cancels it [MQTT-3.1.3-9].
 */
import type { Will } from "../protocol/packets.ts";
import type { Message } from "../session/message.ts";

/** A will as CONNECT carried it, or as storage gave it back after a restart (a stored message). */
export type PendingWillMessage = Will | Message;
import type { Tickable } from "../timers/clock.ts";
import { TimerWheel } from "../timers/wheel.ts";

/** A will waiting for its delay. */
interface PendingWill {
  will: PendingWillMessage;
  /** Subscriber id of the session that owns it (No Local). */
  origin: number;
}

/** Options for WillScheduler. */
export interface WillSchedulerOptions {
  /** Publishes a will (routing + retained); `clientId` is the session it belonged to. */
  publish(will: PendingWillMessage, origin: number, clientId: string): void;
  now: () => number;
  tickMs: number;
}

/** Delayed wills keyed by client id. */
export class WillScheduler implements Tickable {
  private readonly pending = new Map<string, PendingWill>();
  private readonly wheel: TimerWheel<string>;

  constructor(private readonly opts: WillSchedulerOptions) {
    this.wheel = new TimerWheel<string>({ tickMs: opts.tickMs, now: opts.now, onExpire: (id) => this.fire(id) });
  }

  /** Wills waiting. */
  get size(): number {
    return this.pending.size;
  }

  /** The connection of `clientId` ended without a normal DISCONNECT: publish now or after the delay. */
  schedule(clientId: string, will: PendingWillMessage, origin: number, delaySeconds: number): void {
    if (!(delaySeconds > 0)) return this.opts.publish(will, origin, clientId);
    this.scheduleAt(clientId, will, origin, this.opts.now() + delaySeconds * 1000);
  }

  /** A will due at `dueMs` (restored from storage: the deadline was set before a restart). */
  scheduleAt(clientId: string, will: PendingWillMessage, origin: number, dueMs: number): void {
    this.pending.set(clientId, { will, origin });
    this.wheel.set(clientId, dueMs);
  }

  /** A new connection resumed the session in time: the will is not sent [MQTT-3.1.3-9]. */
  cancel(clientId: string): boolean {
    this.wheel.delete(clientId);
    return this.pending.delete(clientId);
  }

  /** The delay passed or the session ended: publish the pending will, if any. */
  fire(clientId: string): void {
    const p = this.pending.get(clientId);
    if (p === undefined) return;
    this.cancel(clientId);
    this.opts.publish(p.will, p.origin, clientId);
  }

  /** Server shutdown: every waiting will goes out now. */
  fireAll(): void {
    for (const id of [...this.pending.keys()]) this.fire(id);
  }

  advance(nowMs: number): void {
    this.wheel.advance(nowMs);
  }
}
