/**
 * The SessionOutbox of a broker with storage: a stored session's QoS 1/2 deliveries become
 * outbound entries (queued → sent with its packet id → released → deleted), the message itself
 * stored once for all the sessions that owe it. Called by Session only when it is durable.
 */
import type { Delivery } from "../session/queue.ts";
import type { InflightEntry } from "../session/inflight.ts";
import type { SessionOutbox } from "../session/link.ts";
import type { Message } from "../session/message.ts";
import type { Session } from "../session/session.ts";
import type { Journal } from "../storage/journal.ts";
import { OutboundState } from "../storage/types.ts";

/** Records a stored session's deliveries in the journal. */
export class DurableOutbox implements SessionOutbox {
  constructor(private readonly journal: Journal) {}

  queued(s: Session, d: Delivery): void {
    const j = this.journal;
    d.storeSeq = j.nextOutboundSeq();
    const messageId = j.messageRef(d.msg);
    j.outboundPut({
      clientId: s.clientId, seq: d.storeSeq, messageId, qos: d.qos, retain: d.retain, packetId: 0,
      state: OutboundState.Queued, subIds: d.subIds,
    });
  }

  sent(s: Session, e: InflightEntry): void {
    const j = this.journal;
    // Queued first: the entry and its message reference exist; straight to the window: new ones.
    let messageId = e.storeSeq !== 0 ? j.messageIdOf(e.msg) : undefined;
    if (messageId === undefined) {
      e.storeSeq = j.nextOutboundSeq();
      messageId = j.messageRef(e.msg);
    }
    this.put(s, e, messageId, OutboundState.Sent);
  }

  released(s: Session, e: InflightEntry): void {
    const id = this.journal.messageIdOf(e.msg);
    if (id !== undefined) this.put(s, e, id, OutboundState.Released);
  }

  done(s: Session, storeSeq: number, msg: Message): void {
    this.journal.outboundDelete(s.clientId, storeSeq);
    this.journal.messageUnref(msg);
  }

  forget(_s: Session, deliveries: Iterable<Delivery>): void {
    // The session's own rows go with its session.delete; only the shared messages need letting go.
    for (const d of deliveries) if (d.storeSeq !== 0) this.journal.messageUnref(d.msg);
  }

  private put(s: Session, e: InflightEntry, messageId: number, state: number): void {
    this.journal.outboundPut({
      clientId: s.clientId, seq: e.storeSeq, messageId, qos: e.qos, retain: e.retain, packetId: e.packetId,
      state, subIds: e.subIds,
    });
  }
}
