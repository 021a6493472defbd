/**
 * The connected-state packet switch: one call per decoded frame after CONNECT.
 */
import { type DisconnectPacket, PacketType } from "../protocol/packets.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import type { FrameBatch } from "../wasm/types.ts";
import type { Client } from "./client.ts";
import type { BrokerCore } from "./core.ts";
import { fail } from "./errors.ts";
import { detach } from "./lifecycle.ts";
import { CLIENT_DISCONNECT } from "./conn_log.ts";
import { flushHeld } from "./durable.ts";
import { ackReason, handlePublish, handlePubrel } from "./publish.ts";
import { handleSubscribe, handleUnsubscribe } from "./subscribe.ts";
import { PINGRESP } from "../protocol/wire.ts";
import { handleAuth } from "./enhanced_auth.ts";
import { admitAuthenticated } from "./connect.ts";

/** Handles frame `i` (already checked valid) of a connected client. */
export function dispatch(core: BrokerCore, client: Client, batch: FrameBatch, i: number): void {
  switch (batch.type(i)) {
    case PacketType.PUBLISH:
      return handlePublish(core, client, batch, i);
    case PacketType.PUBACK:
      return client.session!.onPuback(batch.packetId(i));
    case PacketType.PUBREC:
      return client.session!.onPubrec(batch.packetId(i), client.level >= 5 ? ackReason(batch, i) : 0);
    case PacketType.PUBREL:
      return handlePubrel(core, client, batch.packetId(i));
    case PacketType.PUBCOMP:
      return client.session!.onPubcomp(batch.packetId(i));
    case PacketType.SUBSCRIBE:
      return handleSubscribe(core, client, batch, i);
    case PacketType.UNSUBSCRIBE:
      return handleUnsubscribe(core, client, batch, i);
    case PacketType.PINGREQ:
      return client.send(PINGRESP); // [MQTT-3.12.4-1]
    case PacketType.DISCONNECT:
      return handleDisconnect(core, client, batch, i);
    case PacketType.AUTH: // re-authentication (v5 only: the decoder refuses AUTH below 5)
      return handleAuth(core, client, batch, i, admitAuthenticated);
    default: // a second CONNECT [MQTT-3.1.0-2], server-only packets
      return fail(core, client, ReasonCode.ProtocolError);
  }
}

/**
 * DISCONNECT from the client: the will is discarded [MQTT-3.1.2-10] unless v5 reason 0x04 asks for
 * it; a v5 Session Expiry Interval may change here, but not from 0 [MQTT-3.14.2-2].
 */
function handleDisconnect(core: BrokerCore, client: Client, batch: FrameBatch, i: number): void {
  let withWill = false;
  if (client.level >= 5) {
    const p = batch.packet(i) as DisconnectPacket;
    withWill = p.reasonCode === ReasonCode.DisconnectWithWill;
    const expiry = p.properties?.sessionExpiryInterval;
    if (expiry !== undefined) {
      if (client.terms.connectExpiryZero && expiry !== 0) return fail(core, client, ReasonCode.ProtocolError); // [MQTT-3.14.2-2]
      client.session!.expiryInterval = Math.min(expiry, core.opts.sessionExpiryMaximum);
    }
  }
  if (!withWill) client.session!.will = null; // [MQTT-3.1.2-10]
  detach(core, client, withWill, false, CLIENT_DISCONNECT);
  flushHeld(core, client); // its acks still waiting for a commit are written before the close
  client.conn.end(); // [MQTT-3.14.4-1]
}
