/**
 * Per-connection state: the protocol state machine's position, the negotiated limits, and the
 * session it is attached to. Implements SessionLink so sessions write through it.
 */
import type { Connection } from "../transport/types.ts";
import type { StreamDecoder } from "../wasm/types.ts";
import type { Session, SessionLink } from "../session/session.ts";
import type { InboundAliases } from "../session/topic_alias.ts";
import type { KeepAliveNode } from "../timers/keep_alive.ts";
import { WHEEL_IDLE, type WheelNode } from "../timers/node_wheel.ts";

/** Where a connection is in its life. */
export const ClientState = {
  /** Accepted; the first packet must be CONNECT [MQTT-3.1.0-1]. */
  AwaitConnect: 0,
  /** CONNACK sent with success. */
  Connected: 1,
  /** Detached from its session; nothing more is processed. */
  Closed: 2,
} as const;

/**
 * One network connection as the broker tracks it. It is also its own keep-alive (and connect
 * timeout) timer: the wheel links through the fields below, so a connection costs no timer entry.
 * Kept at ≤ 18 fields: JSC rounds objects of 13–18 inline slots to 160 bytes, 19–24 to 224.
 */
export class Client implements SessionLink, KeepAliveNode {
  state: number = ClientState.AwaitConnect;
  /** Protocol level from CONNECT (3, 4, 5). */
  level = 4;
  /** The client's Receive Maximum: our outbound QoS 1/2 window [MQTT-3.3.4-7]. */
  receiveMaximum = 65535;
  /** The client's Maximum Packet Size, 0 = none. */
  maximumPacketSize = 0;
  clientId = "";
  session: Session | null = null;
  /** v5 inbound topic aliases (null below v5 or when the maximum is 0). */
  aliases: InboundAliases | null = null;
  /** v5: the CONNECT's Session Expiry Interval was 0 (DISCONNECT may not raise it [MQTT-3.14.2-2]). */
  connectExpiryZero = true;
  /** v5 Request Problem Information (0 = no Reason String / User Property on errors). */
  problemInfo = true;
  // KeepAliveNode: owned by the broker's KeepAliveMonitor.
  lastSeen = 0;
  timeoutMs = 0;
  wheelDue = 0;
  wheelSlot = WHEEL_IDLE;
  wheelPrev: WheelNode | null = null;
  wheelNext: WheelNode | null = null;

  constructor(readonly conn: Connection, readonly decoder: StreamDecoder, private readonly bufferLimit: number) {}

  send(bytes: Uint8Array): void {
    this.conn.write(bytes);
  }

  congested(): boolean {
    return this.bufferLimit > 0 && this.conn.bufferedAmount > this.bufferLimit;
  }
}
