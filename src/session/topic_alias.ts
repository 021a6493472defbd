/**
 * Inbound topic aliases of one MQTT 5 connection (MQTT 5.0 §3.3.2.3.4): alias → topic bytes.
 * Aliases are per connection and never survive it [MQTT-3.3.2-7].
 */
import { ReasonCode } from "../protocol/reason_codes.ts";

/** Alias table sized by the Topic Alias Maximum we announced in CONNACK. */
export class InboundAliases {
  private readonly topics: Array<Uint8Array | undefined>;

  constructor(readonly maximum: number) {
    this.topics = new Array(maximum + 1);
  }

  /**
   * Records `topic` for `alias` (a PUBLISH carrying both). Copies the bytes: they are a view on
   * decoder memory. @returns 0, or 0x94 when the alias is 0 or above our maximum [MQTT-3.3.2-8].
   */
  set(alias: number, topic: Uint8Array): number {
    if (alias === 0 || alias > this.maximum) return ReasonCode.TopicAliasInvalid;
    const known = this.topics[alias];
    if (known !== undefined && sameBytes(known, topic)) return 0;
    this.topics[alias] = topic.slice();
    return 0;
  }

  /**
   * The topic of `alias` (a PUBLISH with an empty topic name). Returns a reason code number when
   * it cannot: 0x94 out of range [MQTT-3.3.2-8], 0x82 never set (MQTT 5.0 §3.3.2.3.4).
   */
  get(alias: number): Uint8Array | number {
    if (alias === 0 || alias > this.maximum) return ReasonCode.TopicAliasInvalid;
    return this.topics[alias] ?? ReasonCode.ProtocolError;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
