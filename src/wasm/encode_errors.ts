/**
 * Turns the WASM encoder's negative return codes (wasm/assembly/codec/writer.ts E_*) and the
 * detail word into RangeErrors: a packet that cannot be encoded is the caller's data, not wire input.
 * PUBLISH topic names are checked in JS (topicNameFault), once per topic with the topic slot.
 */
import { PropertyId } from "../protocol/packets.ts";

const TYPE_NAMES = [
  "reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE",
  "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH",
];

/** Field ids in the detail word (writer.ts F_*). */
const FIELD_NAMES: Record<number, string> = {
  0x101: "topic", 0x102: "payload", 0x103: "clientId", 0x104: "will.topic", 0x105: "will.payload",
  0x106: "username", 0x107: "password", 0x108: "topic filter",
};

const PROPERTY_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(PropertyId).map(([name, id]) => [id, name]),
);

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, "0")}`;
}

function fieldName(detail: number): string {
  return FIELD_NAMES[detail] ?? `property ${PROPERTY_NAMES[detail] ?? "?"} (${hex(detail)})`;
}

function propertyName(id: number): string {
  return `${PROPERTY_NAMES[id] ?? "unknown property"} (${hex(id)})`;
}

/** The message for error `code` (negative) with `detail`, for packet `type` at `level`. */
function message(code: number, detail: number, type: number, level: number): string {
  const name = TYPE_NAMES[type] ?? `type ${type}`;
  switch (code) {
    case -1: return type === 15 && detail >= 3 && detail <= 4
      ? `AUTH exists only in MQTT 5.0 (level 5), not level ${detail}`
      : `protocol level ${detail} is not 3 (MQTT 3.1), 4 (3.1.1) or 5 (5.0)`;
    case -2: return `unknown packet type ${detail}`;
    case -3: return `${name}: QoS ${detail} is not 0, 1 or 2`;
    case -4: return `${name}: packet identifier ${detail} is not 1..65535 [MQTT-2.3.1-1]`;
    case -5: return `${name}: ${fieldName(detail)} is longer than 65,535 bytes`;
    case -6: return `${name}: remaining length exceeds 268,435,455 bytes`;
    case -7: return `${name}: ${propertyName(detail)} is not allowed here (MQTT 5.0 §2.2.2.2)`;
    case -8: return `${name}: ${propertyName(detail)} has a value out of range`;
    case -9: return `${name}: ${propertyName(detail)} may appear only once`;
    case -10: return `${name}: reason code ${detail} (${hex(detail)}) is not valid at level ${level}`;
    case -11: return `${name}: needs at least one entry`;
    case -12: return `${name}: ${fieldName(detail)} must not be empty` +
      (detail === 0x101 ? " (in MQTT 5.0 it may be, with a topic alias)" : "");
    case -13: return `${name}: DUP must be 0 when QoS is 0 [MQTT-3.3.1-2]`;
    case -14: return `${name}: a password needs a username before MQTT 5.0 [MQTT-3.1.2-22]`;
    case -15: return `${name}: keepAlive ${detail} is not 0..65535`;
    case -16: return `${name}: retain handling ${detail} is not 0, 1 or 2`;
    case -17: return `${name}: malformed property block at byte ${detail}`;
    case -18: return `${name}: session present must be 0 when the connection is refused (code ${detail})`;
    case -19: return `${name}: an address range lies outside WASM memory`;
  }
  return `${name}: encoder error ${code}`;
}

/** The RangeError for a failed encode call. */
export function encodeError(code: number, detail: number, type: number, level: number): RangeError {
  return new RangeError(`cannot encode: ${message(code, detail, type, level)}`);
}

/**
 * The first character a PUBLISH topic name may not hold, as a char code: '+' or '#'
 * [MQTT-3.3.2-2], or 0 for U+0000 [MQTT-1.5.4-2]; -1 when there is none.
 */
export function topicNameFault(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b || c === 0x23 || c === 0) return c;
  }
  return -1;
}

/** The RangeError for a topic name holding `fault` (see topicNameFault). */
export function topicNameError(fault: number): RangeError {
  return new RangeError(fault === 0
    ? "cannot encode: PUBLISH: the topic name contains U+0000 [MQTT-1.5.4-2]"
    : `cannot encode: PUBLISH: the topic name contains the wildcard '${String.fromCharCode(fault)}' [MQTT-3.3.2-2]`);
}
