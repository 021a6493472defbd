/**
 * The one place where errors become wire behaviour: a v5 DISCONNECT (or CONNACK) with a reason
 * code, a 3.1.1 CONNACK return code, or a plain close. Handlers return or pass reason codes;
 * nothing else decides how a connection ends.
 */
import { ConnackReturnCode, ReasonCode } from "../protocol/reason_codes.ts";
import { type Client, ClientState } from "./client.ts";
import { logProtocolError, logRefused } from "./conn_log.ts";
import type { BrokerCore } from "./core.ts";
import { detach } from "./lifecycle.ts";
import { flushHeld } from "./durable.ts";
import { disconnectBytes } from "../protocol/wire.ts";

/**
 * A malformed packet or protocol error from a connected client: v5 gets DISCONNECT with the
 * reason code, 3.1.x just a close [MQTT-4.8.0-1]; either way the will is published.
 */
export function fail(core: BrokerCore, client: Client, reason: number): void {
  core.stats.protocolErrors++;
  if (core.opts.verbose) logProtocolError(core.opts.log, client, reason, core.batch, core.frame);
  if (client.state === ClientState.AwaitConnect) { // not CONNECT first, or garbage [MQTT-3.1.0-1]
    client.state = ClientState.Closed;
    core.clients.delete(client.conn.id);
    endConnection(core, client);
    return;
  }
  closeWith(core, client, reason, true);
}

/**
 * The server ends a live connection: v5 DISCONNECT `reason` first (0x8D keep-alive timeout,
 * 0x8E session taken over, 0x8B shutting down, or a protocol error) [MQTT-4.13.1-1], then close.
 */
export function closeWith(core: BrokerCore, client: Client, reason: number, publishWill: boolean): void {
  if (client.state === ClientState.Closed) return;
  flushHeld(core, client); // acks waiting for a commit go first, then the DISCONNECT
  if (client.state === ClientState.Connected && client.level >= 5) client.send(disconnectBytes(reason));
  detach(core, client, publishWill, reason === ReasonCode.SessionTakenOver, reason);
  endConnection(core, client);
}

/**
 * Every connection the broker closes on purpose ends here: flushed, half-closed and lingering
 * until the client closes (never reset), counted toward maxConnections until it is gone.
 */
function endConnection(core: BrokerCore, client: Client): void {
  core.ending.add(client);
  client.conn.end();
}

/** CONNACK return code (3.1 / 3.1.1) for a v5 CONNACK reason code, or -1 when there is none. */
function returnCodeFor(reason: number): number {
  switch (reason) {
    case ReasonCode.UnsupportedProtocolVersion: return ConnackReturnCode.UnacceptableProtocolVersion;
    case ReasonCode.ClientIdentifierNotValid: return ConnackReturnCode.IdentifierRejected;
    case ReasonCode.ServerUnavailable: case ReasonCode.ServerBusy: case ReasonCode.QuotaExceeded:
      return ConnackReturnCode.ServerUnavailable;
    case ReasonCode.BadUserNameOrPassword: return ConnackReturnCode.BadUserNameOrPassword;
    case ReasonCode.NotAuthorized: case ReasonCode.Banned: return ConnackReturnCode.NotAuthorized;
    default: return -1;
  }
}

/**
 * Refuses a CONNECT: CONNACK with `reason` (v5) or the matching return code (3.1.x, when one
 * exists [MQTT-3.2.2-5]), then close [MQTT-3.2.2-7]. Nothing else is processed [MQTT-3.1.4-5].
 */
export function refuseConnect(core: BrokerCore, client: Client, level: number, reason: number): void {
  core.stats.connectsRefused++;
  if (core.opts.verbose) logRefused(core.opts.log, client, reason);
  client.state = ClientState.Closed;
  core.clients.delete(client.conn.id);
  const code = level >= 5 ? reason : returnCodeFor(reason);
  if (code >= 0) {
    client.send(core.encoder.encode({ type: 2, sessionPresent: false, reasonCode: code }, level >= 5 ? 5 : 4));
  }
  endConnection(core, client);
}
