/**
 * The verbose (-v) connection log, Mosquitto-like: every line names the client id and the remote
 * address:port, so one client can be followed through connect, errors and disconnect.
 *
 *   New client connected from 127.0.0.1:53422 as sensor-1 (p2, c1, k60).
 *   Client sensor-1 from 127.0.0.1:53422: protocol error (0x82), triggered by a PUBLISH packet; closing.
 *   Client sensor-1 from 127.0.0.1:53422 disconnected (will applies).
 *   Client sensor-2 from 127.0.0.1:53430: CONNECT refused, bad user name or password (0x86); closing.
 *
 * (p: 1 = MQTT 3.1, 2 = 3.1.1, 5 = 5.0 as in Mosquitto; c: clean start; k: keep-alive seconds.)
 * Each line also carries fields (level notice, event, clientId, address, reason) for the JSON
 * log format (src/log/sink.ts); the text format shows the line alone.
 * The broker's own warm-up clients are left out. Only called when verbose is on, so nothing here
 * costs a broker that does not log.
 */
import { type ConnectPacket, PacketType } from "../protocol/packets.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import type { FrameBatch } from "../wasm/types.ts";
import { type Client, ClientState } from "./client.ts";
import { WARMUP_CLIENT_PREFIX } from "./warmup.ts";
import type { LogFn } from "../log/sink.ts";

/** Why a connection ended, for the disconnect line: a server-side reason code, or one of these. */
export const CLOSED_BY_PEER = -1; // the socket closed without a DISCONNECT
export const CLIENT_DISCONNECT = -2; // the client sent DISCONNECT

/** Reason code → lower-case name, from the ReasonCode table (the first name of a shared code). */
const REASON_NAMES = new Map<number, string>();
for (const [key, code] of Object.entries(ReasonCode)) {
  if (REASON_NAMES.has(code)) continue;
  // "ProtocolError" → "protocol error", "QoSNotSupported" → "QoS not supported"
  const words = key.replace("QoS", "Qos").replace(/([a-z0-9])(?=[A-Z])/g, "$1 ").toLowerCase();
  REASON_NAMES.set(code, words.replace("qos", "QoS"));
}

/** Packet type → name (PUBLISH, …). */
const PACKET_NAMES = new Map<number, string>(Object.entries(PacketType).map(([name, type]) => [type, name]));

/** A reason code as `protocol error (0x82)`. */
export function reasonText(code: number): string {
  return `${REASON_NAMES.get(code) ?? "reason"} (0x${code.toString(16).padStart(2, "0")})`;
}

/** Mosquitto's protocol numbers in its connect line: p1 = 3.1, p2 = 3.1.1, p5 = 5.0. */
function protocolNumber(level: number): number {
  return level === 3 ? 1 : level === 4 ? 2 : level;
}

/**
 * The peer as ADDR:PORT, remembered per client from its first line: Bun cannot tell the port once
 * the socket has closed, when the disconnect line is written. Only clients of a verbose broker
 * are remembered (and dropped with them).
 */
const peers = new WeakMap<Client, string>();

function peer(client: Client): string {
  let text = peers.get(client);
  if (text === undefined) {
    const addr = client.conn.remoteAddress || "?";
    text = `${addr.includes(":") ? `[${addr}]` : addr}:${client.conn.remotePort || "?"}`;
    peers.set(client, text);
  }
  return text;
}

function isWarmUp(client: Client): boolean {
  return client.clientId.startsWith(WARMUP_CLIENT_PREFIX);
}

/** `New client connected from ADDR:PORT as ID (p2, c1, k60[, u'name']).` */
export function logConnected(log: LogFn, client: Client, p: ConnectPacket): void {
  if (isWarmUp(client)) return;
  const user = p.username !== undefined ? `, u'${p.username}'` : "";
  const address = peer(client);
  log(`New client connected from ${address} as ${client.clientId} ` +
    `(p${protocolNumber(p.protocolLevel)}, c${p.cleanStart ? 1 : 0}, k${p.keepAlive}${user}).`, {
    level: "notice", event: "connect", clientId: client.clientId, address, protocolLevel: p.protocolLevel,
    cleanStart: p.cleanStart, keepAlive: p.keepAlive, ...(p.username !== undefined ? { username: p.username } : {}),
  });
}

/** What set off a protocol error: the packet being handled (frame `frame` of `batch`), by type. */
function trigger(client: Client, batch: FrameBatch | null, frame: number): string {
  const type = batch !== null && frame < batch.count ? batch.type(frame) : 0;
  const name = PACKET_NAMES.get(type);
  if (name === undefined) return "bytes that are not an MQTT packet";
  return client.state === ClientState.AwaitConnect && type !== PacketType.CONNECT
    ? `a ${name} packet before CONNECT` // [MQTT-3.1.0-1]
    : `a ${name} packet`;
}

/**
 * `Client ID from ADDR:PORT: REASON (0xNN), triggered by a PUBLISH packet; closing.` Clients that
 * never completed CONNECT show as `<unknown>`, as in Mosquitto.
 */
export function logProtocolError(log: LogFn, client: Client, reason: number, batch: FrameBatch | null, frame: number): void {
  if (isWarmUp(client)) return;
  const address = peer(client), why = reasonText(reason), by = trigger(client, batch, frame);
  log(`Client ${client.clientId || "<unknown>"} from ${address}: ${why}, triggered by ${by}; closing.`, {
    level: "notice", event: "protocol_error", clientId: client.clientId || null, address, reason: why, reasonCode: reason, trigger: by,
  });
}

/** `Client ID from ADDR:PORT: CONNECT refused, REASON (0xNN); closing.` (3.1.x: sent as its return code) */
export function logRefused(log: LogFn, client: Client, reason: number): void {
  if (isWarmUp(client)) return;
  const address = peer(client), why = reasonText(reason);
  log(`Client ${client.clientId || "<unknown>"} from ${address}: CONNECT refused, ${why}; closing.`, {
    level: "notice", event: "refused", clientId: client.clientId || null, address, reason: why, reasonCode: reason,
  });
}

/**
 * Why a connection ended, in words: `disconnected` (the client's DISCONNECT), `closed its connection`
 * (the socket closed first, as Mosquitto words it) or `disconnected: REASON (0xNN)` (the server's).
 */
function endText(why: number): string {
  if (why === CLIENT_DISCONNECT) return "disconnected";
  if (why === CLOSED_BY_PEER) return "closed its connection";
  return `disconnected: ${reasonText(why)}`;
}

/** `Client ID from ADDR:PORT disconnected[: REASON][ (will applies)][ (session taken over)].` */
export function logDisconnected(log: LogFn, client: Client, willApplies: boolean, takeover: boolean, why: number): void {
  if (isWarmUp(client)) return;
  const address = peer(client);
  log(`Client ${client.clientId} from ${address} ${endText(why)}` +
    `${willApplies ? " (will applies)" : ""}${takeover ? " (session taken over)" : ""}.`, {
    level: "notice", event: "disconnect", clientId: client.clientId, address,
    reason: why === CLIENT_DISCONNECT ? "client DISCONNECT" : why === CLOSED_BY_PEER ? "connection closed by the client" : reasonText(why),
    ...(why >= 0 ? { reasonCode: why } : {}), willApplies,
  });
}
