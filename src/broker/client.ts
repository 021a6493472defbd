/**
 * Per-connection state: the protocol state machine's position, the negotiated limits, and the
 * session it is attached to. Implements SessionLink so sessions write through it.
 */
import type { BatchWriter, Connection } from "../transport/types.ts";
import type { StreamDecoder } from "../wasm/types.ts";
import type { Session, SessionLink } from "../session/session.ts";
import type { InboundAliases } from "../session/topic_alias.ts";
import type { OutboundAliases } from "../session/outbound_aliases.ts";
import type { KeepAliveNode } from "../timers/keep_alive.ts";
import { HELD } from "./held_sends.ts";
import { WHEEL_IDLE, type WheelNode } from "../timers/node_wheel.ts";
import type { BrokerStats } from "../session/stats.ts";

/** Where a connection is in its life. */
export const ClientState = {
  /** Accepted; the first packet must be CONNECT [MQTT-3.1.0-1]. */
  AwaitConnect: 0,
  /** CONNACK sent with success. */
  Connected: 1,
  /** Detached from its session; nothing more is processed. */
  Closed: 2,
  /**
   * CONNECT received, its authentication still running (a password hash on the thread pool, an
   * embedder's async hook): later packets are held, in order, until the verdict.
   */
  Authenticating: 3,
  /**
   * MQTT 5 enhanced authentication under way (CONNECT carried an Authentication Method): only AUTH
   * (or DISCONNECT) may come until CONNACK [MQTT-3.1.2-30].
   */
  AwaitAuth: 4,
} as const;

/**
 * What the accepted CONNECT negotiated. The 3.1.x connections of a broker share one instance per
 * protocol level (their values come from the configuration alone); a v5 connection gets its own at
 * CONNECT. A shared instance is never written to.
 */
export class ConnectionTerms {
  /** v5 inbound topic aliases (null below v5 or when the maximum is 0). */
  aliases: InboundAliases | null = null;
  /** v5 server-to-client topic aliases (null below v5, or when the client or config allows none). */
  outboundAliases: OutboundAliases | null = null;
  /** v5: the CONNECT's Session Expiry Interval was 0 (DISCONNECT may not raise it [MQTT-3.14.2-2]). */
  connectExpiryZero = true;
  /** v5 Request Problem Information (0 = no Reason String / User Property on errors). */
  problemInfo = true;
  /** v5 Authentication Method the CONNECT used (re-authentication must use it), null = none. */
  authMethod: string | null = null;
  /** The user name that method verified (re-authentication may not change it). */
  authUser: string | undefined = undefined;

  constructor(
    /** Protocol level (3, 4, 5). The decoder's may differ: it follows any later CONNECT [MQTT-3.1.0-2]. */
    readonly level: number,
    /** The client's Receive Maximum: our outbound QoS 1/2 window [MQTT-3.3.4-7]. */
    readonly receiveMaximum: number,
    /** The client's Maximum Packet Size, 0 = none. */
    readonly maximumPacketSize: number,
    /** Socket buffer (bytes) above which the connection counts as congested, 0 = no limit. */
    readonly bufferLimit: number,
    /** The broker's counters: send() counts packets and bytes here (the client keeps no reference of its own). */
    readonly stats: BrokerStats,
  ) {}
}

/**
 * One network connection as the broker tracks it. It is also its own keep-alive (and connect
 * timeout) timer: the wheel links through the fields below, so a connection costs no timer entry.
 * Kept at ≤ 12 fields: JSC rounds objects of 7–12 inline slots to 112 bytes, 13–18 to 160. The
 * protocol level and the negotiated limits sit in a (usually shared) ConnectionTerms.
 */
export class Client implements SessionLink, KeepAliveNode {
  state: number = ClientState.AwaitConnect;
  clientId = "";
  session: Session | null = null;
  terms: ConnectionTerms;
  // KeepAliveNode: owned by the broker's KeepAliveMonitor.
  lastSeen = 0;
  timeoutMs = 0;
  wheelDue = 0;
  wheelSlot = WHEEL_IDLE;
  wheelPrev: WheelNode | null = null;
  wheelNext: WheelNode | null = null;

  /** `terms`: the broker's shared terms of a connection still owing its CONNECT (BrokerCore.termsAwaitConnect). */
  constructor(readonly conn: Connection, readonly decoder: StreamDecoder, terms: ConnectionTerms) {
    this.terms = terms;
  }

  /** Protocol level (3, 4, 5) of the accepted CONNECT (4 until then). */
  get level(): number {
    return this.terms.level;
  }

  get receiveMaximum(): number {
    return this.terms.receiveMaximum;
  }

  get maximumPacketSize(): number {
    return this.terms.maximumPacketSize;
  }

  get outboundAliases(): OutboundAliases | null {
    return this.terms.outboundAliases;
  }

  send(bytes: Uint8Array): void {
    const stats = this.terms.stats; // one packet per call
    stats.packetsSent++;
    stats.bytesSent += bytes.length;
    if (HELD.size !== 0) { // something waits for a commit (held_sends.ts): keep the order
      const held = HELD.get(this);
      if (held !== undefined) return void held.push(bytes.slice());
    }
    this.conn.write(bytes);
  }

  /** Writes past any hold (held_sends.ts releasing what it kept). */
  writeNow(bytes: Uint8Array): void {
    this.conn.write(bytes);
  }

  sendWith(maxBytes: number, writer: BatchWriter): void {
    const stats = this.terms.stats; // counted at its upper bound: the writer knows the exact size only later
    stats.packetsSent++;
    stats.bytesSent += maxBytes;
    if (HELD.size !== 0) { // held like send(): the packet is made now (the writer's state is this call's)
      const held = HELD.get(this);
      if (held !== undefined) {
        const out = new Uint8Array(maxBytes);
        return void held.push(out.subarray(0, writer.writeInto(out, 0)));
      }
    }
    this.conn.writeWith(maxBytes, writer);
  }

  congested(): boolean {
    const limit = this.terms.bufferLimit;
    return limit > 0 && this.conn.bufferedAmount > limit;
  }
}
