/**
 * A client's session (MQTT 3.1.1 §3.1.2.4, MQTT 5.0 §4.1): subscriptions, outbound inflight window
 * and queue, inbound QoS 2 packet ids. It outlives connections when the client asked for that.
 * Delivery lives here because ordering, windows and queues are per session.
 */
import { PacketType, type QoS, type Will } from "../protocol/packets.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import type { BrokerStats } from "../broker/stats.ts";
import { ackBytes, buildPublish, patchPublish, publishPacketIdOffset } from "../broker/wire.ts";
import { InflightWindow } from "./inflight.ts";
import { isExpired, partsAt, type Publication, publishFlags } from "./message.ts";
import { type Delivery, DeliveryQueue } from "./queue.ts";

/** What a session needs from the connection it is attached to. */
export interface SessionLink {
  readonly level: number;
  /** The client's Receive Maximum (65535 below v5). */
  readonly receiveMaximum: number;
  /** The client's Maximum Packet Size, 0 = no limit. */
  readonly maximumPacketSize: number;
  send(bytes: Uint8Array): void;
  /** True when the socket has more buffered than the broker allows (backpressure). */
  congested(): boolean;
}

/** Broker-wide services a session reports to. */
export interface SessionContext {
  readonly stats: BrokerStats;
  readonly maxQueuedMessages: number;
  log(message: string): void;
  /** Cached clock (ms), for message expiry. */
  now(): number;
  /**
   * Asks for drain() on a coming tick: deliveries queued behind a congested socket must not wait
   * for an ack or a transport drain event that may never come (the kernel may take it all).
   */
  wantDrain(s: Session): void;
}

/** One subscription as the session remembers it (the topic index holds the matching copy). */
export interface SubscriptionRecord {
  options: number;
  subscriptionId: number;
}

/** Drops are logged on the first and then every LOG_EVERY-th occurrence per session. */
const LOG_EVERY = 1000;

/** A client session. */
export class Session {
  /** Connection currently attached, null while offline. */
  link: SessionLink | null = null;
  /** Filter (as subscribed, incl. `$share/…`) → options. */
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  readonly inflight = new InflightWindow();
  readonly queue: DeliveryQueue;
  /** Inbound QoS 2 packet ids PUBREC'd and not yet released (exactly-once, MQTT 5.0 §4.3.3). */
  readonly inboundQos2 = new Set<number>();
  /** Session Expiry Interval in seconds (0xFFFFFFFF = never). */
  expiryInterval = 0;
  /** The will of the attached connection (cleared by a normal DISCONNECT). */
  will: Will | null = null;
  private drops = 0;

  constructor(readonly clientId: string, readonly sid: number, private readonly ctx: SessionContext) {
    this.queue = new DeliveryQueue(ctx.maxQueuedMessages);
  }

  /** Routes one message to this session with the subscriber's effective QoS and retain flag. */
  deliver(pub: Publication, qos: QoS, retain: boolean, subIds: number[] | null): void {
    const link = this.link;
    if (qos === 0) {
      if (link === null) return void this.ctx.stats.droppedOffline++;
      if (link.congested()) return this.drop("QoS 0 message dropped: socket congested", "droppedCongested");
      const bytes = pub.render(link.level, publishFlags(0, retain), subIds);
      if (this.fits(link, bytes)) this.write(link, bytes);
      return;
    }
    const d: Delivery = { msg: pub.message(), qos, retain, subIds };
    if (link !== null && this.queue.length === 0 && this.canTransmit(link)) this.transmit(link, d, pub);
    else this.enqueue(d);
  }

  /** PUBACK from the client. */
  onPuback(packetId: number): void {
    const e = this.inflight.get(packetId);
    if (e === undefined || e.delivery.qos !== 1) return;
    this.inflight.delete(packetId);
    this.drain();
  }

  /** PUBREC from the client: answer PUBREL (0x92 when the id is unknown, v5). */
  onPubrec(packetId: number, reason: number): void {
    const link = this.link!;
    const e = this.inflight.get(packetId);
    if (e === undefined || e.delivery.qos !== 2) {
      link.send(ackBytes(PacketType.PUBREL, packetId, ReasonCode.PacketIdentifierNotFound, link.level));
      return;
    }
    if (reason >= 0x80) { // the receiver refused it: the flow ends here (MQTT 5.0 §4.3.3)
      this.inflight.delete(packetId);
      return this.drain();
    }
    e.released = true;
    link.send(ackBytes(PacketType.PUBREL, packetId, 0, link.level));
  }

  /** PUBCOMP from the client. */
  onPubcomp(packetId: number): void {
    const e = this.inflight.get(packetId);
    if (e === undefined || !e.released) return;
    this.inflight.delete(packetId);
    this.drain();
  }

  /**
   * A connection resumed this session: re-send unacknowledged PUBLISH (DUP=1) and PUBREL in their
   * original order [MQTT-4.4.0-1], then what queued up while offline.
   */
  resume(): void {
    const link = this.link!;
    for (const e of this.inflight.values()) {
      if (e.released) {
        link.send(ackBytes(PacketType.PUBREL, e.packetId, 0, link.level));
        continue;
      }
      const d = e.delivery;
      const parts = partsAt(d.msg, this.ctx.now());
      this.write(link, buildPublish(parts, publishFlags(d.qos, d.retain, true), e.packetId, link.level, d.subIds)); // [MQTT-3.3.1-1]
    }
    this.drain();
  }

  /** Sends queued deliveries while the window, the socket and the queue allow. */
  drain(): void {
    const link = this.link;
    if (link === null) return;
    if (this.queue.length > 0 && link.congested()) return this.ctx.wantDrain(this);
    while (this.queue.length > 0 && this.canTransmit(link)) {
      const d = this.queue.shift()!;
      const now = this.ctx.now();
      if (isExpired(d.msg, now)) { // not started yet: dropped [MQTT-3.3.2-5]
        this.ctx.stats.droppedExpired++;
        continue;
      }
      const bytes = buildPublish(partsAt(d.msg, now), publishFlags(d.qos, d.retain), 0, link.level, d.subIds);
      this.transmitBytes(link, d, bytes);
    }
  }

  /** Forgets all message state (the session ends, or a clean start replaces it). */
  clearMessages(): void {
    this.inflight.clear();
    this.queue.clear();
    this.inboundQos2.clear();
  }

  private canTransmit(link: SessionLink): boolean {
    return this.inflight.size < link.receiveMaximum && !link.congested(); // [MQTT-3.3.4-7]
  }

  private transmit(link: SessionLink, d: Delivery, pub: Publication): void {
    this.transmitBytes(link, d, pub.render(link.level, publishFlags(d.qos, d.retain), d.subIds));
  }

  private transmitBytes(link: SessionLink, d: Delivery, bytes: Uint8Array): void {
    if (!this.fits(link, bytes)) return;
    const e = this.inflight.add(d);
    patchPublish(bytes, publishFlags(d.qos, d.retain), e.packetId, publishPacketIdOffset(bytes));
    this.write(link, bytes);
  }

  private enqueue(d: Delivery): void {
    if (!this.queue.push(d)) this.drop("QoS>0 message dropped: session queue full", "droppedQueueFull");
    else if (this.link !== null && this.link.congested()) this.ctx.wantDrain(this);
  }

  /** The client's Maximum Packet Size: a larger message is discarded for it [MQTT-3.1.2-25]. */
  private fits(link: SessionLink, bytes: Uint8Array): boolean {
    if (link.maximumPacketSize === 0 || bytes.length <= link.maximumPacketSize) return true;
    this.drop("message dropped: larger than the client's Maximum Packet Size", "droppedTooLarge");
    return false;
  }

  private write(link: SessionLink, bytes: Uint8Array): void {
    this.ctx.stats.publishesSent++;
    link.send(bytes);
  }

  private drop(why: string, counter: "droppedCongested" | "droppedQueueFull" | "droppedTooLarge"): void {
    this.ctx.stats[counter]++;
    if (this.drops++ % LOG_EVERY === 0) this.ctx.log(`client ${this.clientId}: ${why} (${this.drops} so far)`);
  }
}
