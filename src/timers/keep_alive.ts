/**
 * Keep-alive enforcement on one intrusive wheel. The watched object (the broker's per-connection
 * state) carries its own deadline fields, so watching 100k connections costs no map and no entry
 * object each. touch() runs for every inbound chunk, so it only stores the cached clock value; the
 * wheel re-arms lazily when a connection's slot comes round (mosquitto's keepalive.c keeps the
 * same bookkeeping, with the list pointers in the client struct).
 *
 * The same mechanism bounds the wait for CONNECT (watchMs with the connect timeout): a connection
 * is only ever waiting for one of the two.
 */
import { NodeWheel, type WheelNode } from "./node_wheel.ts";
import type { Tickable } from "./clock.ts";

/** What a watched connection carries (start with `wheelSlot = WHEEL_IDLE`, the rest 0/null). */
export interface KeepAliveNode extends WheelNode {
  /** Cached-clock time of the last activity (watch or touch). */
  lastSeen: number;
  /** Silence allowed before the timeout fires, in ms. */
  timeoutMs: number;
}

/** Options for KeepAliveMonitor. */
export interface KeepAliveOptions<N> {
  /** Called once when a connection has been silent for its allowance; it is unwatched first. */
  onTimeout: (node: N) => void;
  /** Cached clock (Clock.now bound); default Date.now(). */
  now?: () => number;
  /** Wheel tick in ms; a timeout fires at most this long late. Default 100. */
  tickMs?: number;
}

/** Watches keep-alive deadlines of connections that carry a KeepAliveNode. */
export class KeepAliveMonitor<N extends KeepAliveNode> implements Tickable {
  private readonly wheel: NodeWheel<N>;
  private readonly now: () => number;
  private readonly onTimeout: (node: N) => void;
  /** The time advance() was called with: deadlines are judged against it, not a second clock read. */
  private advancingAt = 0;

  constructor(opts: KeepAliveOptions<N>) {
    this.now = opts.now ?? (() => Date.now());
    this.onTimeout = opts.onTimeout;
    this.wheel = new NodeWheel<N>({ tickMs: opts.tickMs ?? 100, now: this.now, onExpire: (n) => this.check(n) });
  }

  /** Number of watched connections. */
  get size(): number {
    return this.wheel.size;
  }

  /** Whether `node` is watched. */
  has(node: N): boolean {
    return this.wheel.has(node);
  }

  /**
   * Starts (or restarts) watching with the effective keep-alive in seconds (for v5, the Server
   * Keep Alive if one was sent). 0 turns the mechanism off for this connection (spec 3.1.2.10; the
   * sentence carries no normative id).
   */
  watch(node: N, keepAliveSeconds: number): void {
    // The server allows one and a half keep-alive periods of silence [MQTT-3.1.2-24] (v5: [MQTT-3.1.2-22]).
    if (keepAliveSeconds > 0) this.watchMs(node, keepAliveSeconds * 1500);
    else this.unwatch(node);
  }

  /** Starts (or restarts) watching with an allowance of `timeoutMs` of silence from now. */
  watchMs(node: N, timeoutMs: number): void {
    const lastSeen = this.now();
    node.lastSeen = lastSeen;
    node.timeoutMs = timeoutMs;
    this.wheel.set(node, lastSeen + timeoutMs);
  }

  /** Records activity: O(1), no allocation, no wheel work (harmless on an unwatched node). */
  touch(node: N): void {
    node.lastSeen = this.now();
  }

  /** Stops watching (disconnect, close, or keep-alive 0); harmless when not watched. */
  unwatch(node: N): void {
    this.wheel.delete(node);
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

  /** The wheel fired: time out, or re-arm at the deadline implied by the last activity. */
  private check(node: N): void {
    const deadline = node.lastSeen + node.timeoutMs;
    if (deadline > this.advancingAt) {
      this.wheel.set(node, deadline);
      return;
    }
    this.onTimeout(node);
  }
}
