/**
 * A client's session (MQTT 3.1.1 §3.1.2.4, MQTT 5.0 §4.1): subscriptions, outbound inflight window
 * and queue, the retained messages still owed to new subscriptions, inbound QoS 2 packet ids. It
 * outlives connections when the client asked for that. Delivery lives here because ordering,
 * windows and queues are per session.
 *
 * Retained copies owed to a subscription wait in the backlog for the window and the socket (QoS 0
 * too: they are never dropped for congestion), and live deliveries arriving meanwhile queue behind
 * them, so a topic's stored copy always precedes its live messages. A session that persists keeps
 * its backlog and queue across a disconnect, QoS 0 entries included: a resumed session does not
 * subscribe again, so dropping them would lose the retained state for good. Clean start clears both.
 *
 * Most sessions of a fleet sit idle, so each collection (subscriptions, window, queue, backlog,
 * inbound QoS 2 ids) is made on first use: every field starts null in the constructor (one shape)
 * and the hot paths test for null rather than allocate.
 */
import { PacketType, type QoS, type Will } from "../protocol/packets.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import { ackBytes, buildPublish, patchPublish, publishPacketIdOffset, publishSize, writePublish } from "../protocol/wire.ts";
import { InflightWindow } from "./inflight.ts";
import { RetainedBacklog } from "./backlog.ts";
import { drainSoon, type SoonDrainable } from "./drain_soon.ts";
import { isExpired, type Message, partsAt, type Publication, publishFlags } from "./message.ts";
import { type Delivery, DeliveryQueue, PushResult } from "./queue.ts";
import type { SessionContext, SessionLink, SubscriptionRecord } from "./link.ts";

export type { SessionContext, SessionLink, SubscriptionRecord } from "./link.ts";

/** Stored messages are assembled here before link.send copies them (larger ones get their own buffer). */
const scratch = new Uint8Array(64 * 1024);

/**
 * Bytes one drain() call writes before yielding to the event loop (drainSoon): the transport's
 * flush then hands them to the kernel while the next burst is built, and other clients get a turn.
 */
const DRAIN_BURST_BYTES = 64 * 1024;

/**
 * Drops of each kind are logged on the first and then every LOG_EVERY-th occurrence on the broker
 * (its counter in BrokerStats), naming the session that hit it: a fleet of slow clients cannot
 * flood the log, and an idle session carries no counter of its own.
 */
const LOG_EVERY = 1000;

/** A client session. */
export class Session implements SoonDrainable {
  /** Connection currently attached, null while offline. */
  link: SessionLink | null = null;
  // Made on first use (see the file comment); the getters below create them.
  private subs: Map<string, SubscriptionRecord> | null = null;
  private window: InflightWindow | null = null;
  private pending: DeliveryQueue | null = null;
  private owed: RetainedBacklog | null = null;
  private qos2: Set<number> | null = null;
  /** Session Expiry Interval in seconds (0xFFFFFFFF = never). */
  expiryInterval = 0;
  /** The will of the attached connection (cleared by a normal DISCONNECT). */
  will: Will | null = null;
  /** Queued for drainSoon. */
  drainSoonQueued = false;
  /** Kept in the storage journal (it outlives its connection and persistence is on; broker/durable.ts). */
  durable = false;

  constructor(readonly clientId: string, readonly sid: number, private readonly ctx: SessionContext) {}

  /** Filter (as subscribed, incl. `$share/…`) → options. */
  get subscriptions(): Map<string, SubscriptionRecord> {
    return this.subs ??= new Map();
  }

  /** Outbound QoS 1/2 messages awaiting their acks. */
  get inflight(): InflightWindow {
    return this.window ??= new InflightWindow();
  }

  /** Deliveries waiting for the connection, the window or the socket. */
  get queue(): DeliveryQueue {
    return this.pending ??= new DeliveryQueue(this.ctx.maxQueuedMessages, this.ctx.queueBytes);
  }

  /** Retained messages owed to new subscriptions (references into the retained store). */
  get backlog(): RetainedBacklog {
    return this.owed ??= new RetainedBacklog();
  }

  /** Inbound QoS 2 packet ids PUBREC'd and not yet released (exactly-once, MQTT 5.0 §4.3.3). */
  get inboundQos2(): Set<number> {
    return this.qos2 ??= new Set();
  }

  /** Subscriptions held (for operations: reads without creating the map). */
  get subscriptionCount(): number {
    const subs = this.subs;
    return subs === null ? 0 : subs.size;
  }

  /** Deliveries queued (for operations). */
  get queuedCount(): number {
    const q = this.pending;
    return q === null ? 0 : q.length;
  }

  /** Outbound QoS 1/2 messages awaiting their acks (for operations). */
  get inflightSize(): number {
    return this.inflightCount();
  }

  /** Retained messages still owed to new subscriptions (for operations). */
  get backlogSize(): number {
    const b = this.owed;
    return b === null ? 0 : b.size;
  }

  /** Hands the subscriptions over for removal from the topic index and forgets them; null if none. */
  takeSubscriptions(): Map<string, SubscriptionRecord> | null {
    const subs = this.subs;
    this.subs = null;
    return subs;
  }

  /** Routes one message to this session with the subscriber's effective QoS and retain flag. */
  deliver(pub: Publication, qos: QoS, retain: boolean, subIds: number[] | null): void {
    const link = this.link;
    if (qos === 0) {
      if (link === null) return void this.ctx.stats.droppedOffline++;
      // Stored copies still owed go first: a live message never overtakes its topic's retained one.
      if (this.owesStoredFirst()) return this.enqueue({ msg: pub.message(), qos, retain, subIds, storeSeq: 0 });
      if (link.congested()) return this.drop("QoS 0 message dropped: socket congested", "droppedCongested");
      const bytes = pub.render(link.level, publishFlags(0, retain), subIds);
      if (this.fits(link, bytes.length)) this.write(link, bytes, pub.serial);
      return;
    }
    const q = this.pending, b = this.owed;
    const idle = (q === null || q.length === 0) && (b === null || b.size === 0);
    if (link !== null && idle && this.canTransmit(link)) this.transmit(link, pub, qos, retain, subIds);
    else this.enqueue({ msg: pub.message(), qos, retain, subIds, storeSeq: 0 });
  }

  /**
   * Owes a new subscription the retained messages it matched (`msgs`, a RetainedStore.match result
   * kept by reference), sent by drain() after what was queued before them. What would take the
   * backlog past `limit` (config.maxRetainedBacklog) is dropped, counted and logged.
   */
  addRetained(msgs: Message[], granted: QoS, subIds: number[] | null, limit: number): void {
    if (msgs.length === 0) return;
    const q = this.pending;
    const over = this.backlog.add(msgs, granted, subIds, q === null ? 0 : q.taken + q.length, limit);
    if (over === 0) return;
    this.ctx.stats.droppedBacklogFull += over;
    this.ctx.log(`client ${this.clientId}: ${over} retained message(s) dropped: retained backlog full (${limit})`, { level: "warning", event: "drop", clientId: this.clientId, reason: "backlog_full" });
  }

  /** PUBACK from the client. */
  onPuback(packetId: number): void {
    const w = this.window, e = w?.get(packetId);
    if (e === undefined || e.qos !== 1) return;
    w!.delete(packetId);
    if (e.storeSeq !== 0) this.ctx.outbox?.done(this, e.storeSeq, e.msg);
    this.drain();
  }

  /** PUBREC from the client: answer PUBREL (0x92 when the id is unknown, v5). */
  onPubrec(packetId: number, reason: number): void {
    const link = this.link!;
    const w = this.window, e = w?.get(packetId);
    if (e === undefined || e.qos !== 2) {
      link.send(ackBytes(PacketType.PUBREL, packetId, ReasonCode.PacketIdentifierNotFound, link.level));
      return;
    }
    if (reason >= 0x80) { // the receiver refused it: the flow ends here (MQTT 5.0 §4.3.3)
      w!.delete(packetId);
      if (e.storeSeq !== 0) this.ctx.outbox?.done(this, e.storeSeq, e.msg);
      return this.drain();
    }
    e.released = true;
    if (e.storeSeq !== 0) this.ctx.outbox?.released(this, e);
    link.send(ackBytes(PacketType.PUBREL, packetId, 0, link.level));
  }

  /** PUBCOMP from the client. */
  onPubcomp(packetId: number): void {
    const w = this.window, e = w?.get(packetId);
    if (e === undefined || !e.released) return;
    w!.delete(packetId);
    if (e.storeSeq !== 0) this.ctx.outbox?.done(this, e.storeSeq, e.msg);
    this.drain();
  }

  /**
   * A connection resumed this session: re-send unacknowledged PUBLISH (DUP=1) and PUBREL in their
   * original order [MQTT-4.4.0-1], then what queued up while offline.
   */
  resume(): void {
    const link = this.link!;
    for (const e of this.window?.values() ?? []) {
      if (e.released) {
        link.send(ackBytes(PacketType.PUBREL, e.packetId, 0, link.level));
        continue;
      }
      const parts = partsAt(e.msg, this.ctx.now());
      this.write(link, buildPublish(parts, publishFlags(e.qos, e.retain, true), e.packetId, link.level, e.subIds)); // [MQTT-3.3.1-1]
    }
    this.drain();
  }

  /**
   * Sends owed retained messages and queued deliveries in arrival order while the inflight window
   * (QoS > 0) and the socket allow, at most a burst per call. An acknowledgement, the transport's
   * drain event, drainSoon (after a burst, or a limit reached while making progress) or the next
   * tick (wantDrain: blocked without progress) calls it again.
   */
  drain(): void {
    const link = this.link;
    if (link === null) return;
    const q = this.pending, backlog = this.owed;
    let budget = DRAIN_BURST_BYTES;
    while ((q !== null && q.length > 0) || (backlog !== null && backlog.size > 0)) {
      const seg = backlog !== null && backlog.size > 0 ? backlog.ready(q === null ? 0 : q.taken) : null;
      const d = seg === null ? q?.peek() : undefined;
      if (seg === null && d === undefined) return;
      const qos = seg !== null ? storedQos(seg.msgs[seg.pos], seg.granted) : d!.qos;
      if (qos > 0 && this.inflightCount() >= link.receiveMaximum) return; // [MQTT-3.3.4-7] an ack resumes
      if (link.congested()) return budget < DRAIN_BURST_BYTES ? drainSoon(this) : this.ctx.wantDrain(this);
      if (budget <= 0) return drainSoon(this);
      // Owed retained copies go out with retain=1 [MQTT-3.3.1-8].
      if (seg !== null) budget -= this.emit(link, backlog!.take(seg), qos, true, seg.subIds, 0);
      else {
        q!.shift();
        budget -= this.emit(link, d!.msg, qos, d!.retain, d!.subIds, d!.storeSeq);
      }
    }
  }

  /** drain() from a callback with no caller to report to: a bug is logged, never thrown. */
  drainGuarded(): void {
    try {
      this.drain();
    } catch (err) {
      this.ctx.log(`internal error draining ${this.clientId}: ${(err as Error).stack ?? err}`, { level: "error", clientId: this.clientId });
    }
  }

  /** Forgets all message state (the session ends, or a clean start replaces it). */
  clearMessages(): void {
    if (this.durable && this.ctx.outbox !== null) {
      this.ctx.outbox.forget(this, [...(this.window?.values() ?? []), ...(this.pending?.drainAll() ?? [])]);
    }
    this.window = null;
    this.pending?.clear(); // gives its bytes back to maxQueuedBytes
    this.pending = null;
    this.owed = null;
    this.qos2 = null;
  }

  /** Stored copies or queued QoS 0 deliveries are waiting: a live QoS 0 message queues behind them. */
  private owesStoredFirst(): boolean {
    const b = this.owed, q = this.pending;
    return (b !== null && b.size > 0) || (q !== null && q.qos0 > 0);
  }

  private inflightCount(): number {
    const w = this.window;
    return w === null ? 0 : w.size;
  }

  private canTransmit(link: SessionLink): boolean {
    return this.inflightCount() < link.receiveMaximum && !link.congested(); // [MQTT-3.3.4-7]
  }

  /**
   * Sends a stored message (in the inflight window when QoS > 0), unless it expired while it
   * waited [MQTT-3.3.2-5]. Assembled in a reused buffer: the link copies at once. Returns the
   * bytes written (0 when dropped).
   */
  private emit(link: SessionLink, msg: Message, qos: QoS, retain: boolean, subIds: number[] | null, storeSeq: number): number {
    const now = this.ctx.now();
    if (isExpired(msg, now)) {
      this.ctx.stats.droppedExpired++;
      return this.forgetStored(storeSeq, msg);
    }
    const parts = partsAt(msg, now);
    const flags = publishFlags(qos, retain);
    const size = publishSize(parts, flags, link.level, subIds);
    if (!this.fits(link, size)) return this.forgetStored(storeSeq, msg);
    const packetId = qos === 0 ? 0 : this.track(msg, qos, retain, subIds, storeSeq).packetId;
    const out = size <= scratch.length ? scratch : new Uint8Array(size);
    writePublish(out, parts, flags, packetId, link.level, subIds);
    this.write(link, out.length === size ? out : out.subarray(0, size));
    return size;
  }

  /** A live QoS > 0 delivery straight into the window: the publication's bytes, our packet id. */
  private transmit(link: SessionLink, pub: Publication, qos: QoS, retain: boolean, subIds: number[] | null): void {
    const msg = pub.message(); // the stable copy first: re-sends are built from it
    const flags = publishFlags(qos, retain);
    const bytes = pub.render(link.level, flags, subIds);
    if (!this.fits(link, bytes.length)) return;
    const e = this.track(msg, qos, retain, subIds, 0);
    patchPublish(bytes, flags, e.packetId, publishPacketIdOffset(bytes));
    this.write(link, bytes, pub.serial);
  }

  /** Into the inflight window (and, for a stored session, into its stored outbound entries). */
  private track(msg: Message, qos: QoS, retain: boolean, subIds: number[] | null, storeSeq: number) {
    const e = this.inflight.add(msg, qos, retain, subIds, storeSeq);
    if (this.durable) this.ctx.outbox?.sent(this, e);
    return e;
  }

  /** A stored delivery that will not be sent after all (expired, too large): 0 bytes written. */
  private forgetStored(storeSeq: number, msg: Message): number {
    if (storeSeq !== 0) this.ctx.outbox?.done(this, storeSeq, msg);
    return 0;
  }

  private enqueue(d: Delivery): void {
    const r = this.queue.push(d);
    if (r === PushResult.QueueFull) return this.drop("message dropped: session queue full", "droppedQueueFull");
    if (r === PushResult.BytesFull) return this.drop("message dropped: queued bytes limit reached (maxQueuedBytes)", "droppedQueueBytes");
    if (this.durable && d.qos > 0) this.ctx.outbox?.queued(this, d);
    if (this.link !== null && this.link.congested()) this.ctx.wantDrain(this);
  }

  /** The client's Maximum Packet Size: a larger message is discarded for it [MQTT-3.1.2-25]. */
  private fits(link: SessionLink, size: number): boolean {
    if (link.maximumPacketSize === 0 || size <= link.maximumPacketSize) return true;
    this.drop("message dropped: larger than the client's Maximum Packet Size", "droppedTooLarge");
    return false;
  }

  /**
   * Every PUBLISH to the client leaves here; aliased (written straight into the connection's
   * batch) when the connection uses topic aliases. `serial`: the Publication's, when it has one
   * (its topic is then hashed once for all its deliveries).
   */
  private write(link: SessionLink, bytes: Uint8Array, serial = -1): void {
    const stats = this.ctx.stats;
    stats.publishesSent++;
    const qos = bytes[0] & 6; // the fixed header's QoS bits, in place
    if (qos === 2) stats.publishesSentQos1++;
    else if (qos === 4) stats.publishesSentQos2++;
    const aliases = link.outboundAliases;
    const max = aliases === null ? -1 : aliases.prepare(bytes, link.maximumPacketSize, serial);
    if (max < 0) link.send(bytes);
    else link.sendWith(max, aliases!);
  }

  private drop(why: string, counter: "droppedCongested" | "droppedQueueFull" | "droppedQueueBytes" | "droppedTooLarge"): void {
    const n = ++this.ctx.stats[counter];
    if (n % LOG_EVERY === 1) this.ctx.log(`client ${this.clientId}: ${why} (${n} on this broker so far)`, { level: "warning", event: "drop", clientId: this.clientId });
  }
}

/** QoS of a retained copy: the lower of the stored and the granted QoS [MQTT-3.8.4-8]. */
function storedQos(msg: Message, granted: QoS): QoS {
  return msg.qos < granted ? msg.qos : granted;
}
