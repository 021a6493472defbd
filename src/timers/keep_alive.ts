/**
 * Keep-alive enforcement on the shared wheel. touch() runs for every inbound packet, so it only
 * stores the cached clock value; the wheel re-arms lazily when a client's slot comes round
 * (mosquitto's keepalive.c does the same bookkeeping with a bucket per second).
 */
import { TimerWheel } from "./wheel.ts";
import type { Tickable } from "./clock.ts";

/** Per-connection state, mutated in place so touch() allocates nothing. */
interface Watch {
  lastSeen: number;
  timeoutMs: number;
}

/** Options for KeepAliveMonitor. */
export interface KeepAliveOptions {
  /** Called once when a connection has been silent for 1.5 × its keep-alive; it is unwatched first. */
  onTimeout: (connId: number) => void;
  /** Cached clock (Clock.now bound); default Date.now(). */
  now?: () => number;
  /** Wheel tick in ms; a timeout fires at most this long late. Default 100. */
  tickMs?: number;
}

/** Watches keep-alive deadlines for connections identified by their transport id. */
export class KeepAliveMonitor implements Tickable {
  private readonly watches = new Map<number, Watch>();
  private readonly wheel: TimerWheel<number>;
  private readonly now: () => number;
  private readonly onTimeout: (connId: number) => void;
  /** The time advance() was called with: deadlines are judged against it, not a second clock read. */
  private advancingAt = 0;

  constructor(opts: KeepAliveOptions) {
    this.now = opts.now ?? (() => Date.now());
    this.onTimeout = opts.onTimeout;
    this.wheel = new TimerWheel<number>({
      tickMs: opts.tickMs ?? 100,
      now: this.now,
      onExpire: (id) => this.check(id),
    });
  }

  /** Number of watched connections. */
  get size(): number {
    return this.watches.size;
  }

  /** Whether `connId` is watched. */
  has(connId: number): boolean {
    return this.watches.has(connId);
  }

  /**
   * Starts (or restarts) watching with the effective keep-alive in seconds (for v5, the Server
   * Keep Alive if one was sent). 0 turns the mechanism off for this connection (spec 3.1.2.10; the
   * sentence carries no normative id).
   */
  watch(connId: number, keepAliveSeconds: number): void {
    if (!(keepAliveSeconds > 0)) {
      this.unwatch(connId);
      return;
    }
    // The server allows one and a half keep-alive periods of silence [MQTT-3.1.2-24] (v5: [MQTT-3.1.2-22]).
    const timeoutMs = keepAliveSeconds * 1500;
    const lastSeen = this.now();
    let w = this.watches.get(connId);
    if (w === undefined) this.watches.set(connId, (w = { lastSeen, timeoutMs }));
    else {
      w.lastSeen = lastSeen;
      w.timeoutMs = timeoutMs;
    }
    this.wheel.set(connId, lastSeen + timeoutMs);
  }

  /** Records activity (any packet): O(1), no allocation, no wheel work. */
  touch(connId: number): void {
    const w = this.watches.get(connId);
    if (w !== undefined) w.lastSeen = this.now();
  }

  /** Stops watching (disconnect, close, or keep-alive 0). */
  unwatch(connId: number): void {
    if (this.watches.delete(connId)) this.wheel.delete(connId);
  }

  /** Fires every deadline passed at `nowMs` (called by the Ticker, or by tests). */
  advance(nowMs: number): void {
    this.advancingAt = nowMs;
    this.wheel.advance(nowMs);
  }

  /** Standalone use: drive advance() from the wheel's own unref'd interval. */
  start(): void {
    this.wheel.start();
  }

  /** Stops the interval started by start(). */
  stop(): void {
    this.wheel.stop();
  }

  /** The wheel fired: time out, or re-arm at the deadline implied by the last packet. */
  private check(connId: number): void {
    const w = this.watches.get(connId);
    if (w === undefined) return;
    const deadline = w.lastSeen + w.timeoutMs;
    if (deadline > this.advancingAt) {
      this.wheel.set(connId, deadline);
      return;
    }
    this.watches.delete(connId);
    this.onTimeout(connId);
  }
}
