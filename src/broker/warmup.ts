/**
 * JIT warm-up: before listening, the broker sends itself messages over a private loopback listener
 * through its real code paths (socket → decoder → router → session → write batch → socket).
 * The runtime's optimising compilers otherwise do that work during the first seconds of real
 * traffic, on the same core as the event loop, and the first clients see it as latency (measured:
 * p99 at 10,000 msgs/s 430–490 µs in the first seconds, 210–350 µs once compiled).
 *
 * Three connections with ids no client would pick: an MQTT 3.1.1 QoS 1 subscriber on a `$` topic
 * (leading wildcards never match it [MQTT-4.7.2-1]), an MQTT 5 QoS 0 subscriber on it that announces a
 * Topic Alias Maximum (the v5 rendering and, when the broker assigns them, the outbound topic alias
 * path: left cold, the JIT compiles them, and recompiles the delivery path around them, under the
 * first real traffic; bench/aliases.bench.ts measured 0.78 → 0.58 broker CPU µs per message over
 * 2 million messages with aliases on), and a 3.1.1 publisher alternating QoS 0 and QoS 1; then
 * retained messages (one per 25 sent) under another `$` root are stored, served to a new subscription and
 * deleted, so nothing is left retained. The connections DISCONNECT normally (no will); the
 * broker's counters are restored.
 */
import net from "node:net";
import { type Codec, createCodec, type Packet, type StreamDecoder } from "../codec.ts";
import type { BrokerStats } from "../session/stats.ts";
import type { RetainedStore } from "../router/retained.ts";

const TOPIC = "$vireo/warmup";
/** Start of the warm-up clients' ids (left out of the connection log). */
export const WARMUP_CLIENT_PREFIX = "$vireo-warmup-";
/** Messages per round; the publisher waits for the round's PUBACKs before the next. */
const ROUND = 1000;
const LEVEL = 4;
/** Topic Alias Maximum the v5 subscriber announces (the retained phase's topics use them all up). */
const V5_ALIASES = 8;
/** Retained messages stored, served to a new subscription and deleted again (under RETAINED_ROOT):
 * one per 25 messages of the warm-up, at most 20,000 (the default warm-up's share). */
const RETAINED_PER_MESSAGE = 1 / 25;
const RETAINED_MAX = 20_000;
const RETAINED_ROOT = "$vireo/warmup-retained";

/**
 * One round of PUBLISH packets: even ones QoS 0, odd ones QoS 1 (packet ids 1..ROUND/2), or all
 * QoS 0 and a closing PINGREQ when the broker's maximum QoS is 0. Returns the bytes and how many
 * answers (PUBACKs, or the PINGRESP) end the round.
 */
function publishRound(codec: Codec, qos1: boolean): { bytes: Uint8Array; answers: number } {
  const payload = new TextEncoder().encode("warm-up payload 0123456789");
  const out = new Uint8Array(ROUND * 64); // each packet is 43-45 bytes
  let o = 0;
  for (let i = 0; i < ROUND; i++) {
    const qos = (qos1 ? i & 1 : 0) as 0 | 1;
    o += codec.encodeInto({ type: 3, topic: TOPIC, payload, qos, packetId: (i >> 1) + 1, dup: false, retain: false } as Packet, LEVEL, out, o);
  }
  if (!qos1) o += codec.encodeInto({ type: 12 } as Packet, LEVEL, out, o);
  return { bytes: out.subarray(0, o), answers: qos1 ? ROUND / 2 : 1 };
}

/** `count` QoS 0 retained PUBLISH packets on distinct topics: `payload` stores, an empty one deletes. */
function retainedRound(codec: Codec, count: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(count * (48 + payload.length));
  let o = 0;
  for (let i = 0; i < count; i++) {
    o += codec.encodeInto({ type: 3, topic: `${RETAINED_ROOT}/${i}`, payload, qos: 0, dup: false, retain: true } as Packet, LEVEL, out, o);
  }
  return out.subarray(0, o);
}

/** A warm-up client: counts the packets it receives and, if asked, answers QoS 1 PUBLISH with PUBACK. */
class Peer {
  private readonly decoder: StreamDecoder;
  private received = 0;
  private waiter: { until: number; resolve: () => void } | null = null;

  constructor(readonly socket: net.Socket, private readonly codec: Codec, private readonly ackQos1: boolean, private readonly level: 4 | 5) {
    this.decoder = codec.createDecoder({ protocolLevel: level });
    socket.on("data", (chunk: Uint8Array) => this.onData(chunk));
  }

  /** Resolves once `n` more packets have arrived. */
  next(n: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = { until: this.received + n, resolve };
    });
  }

  send(packet: Packet): void {
    this.socket.write(this.codec.encode(packet, this.level));
  }

  private onData(chunk: Uint8Array): void {
    const batch = this.decoder.push(chunk);
    const acks = this.ackQos1 ? new Uint8Array(4 * batch.count) : null; // a PUBACK is 4 bytes
    let n = 0;
    for (let i = 0; acks !== null && i < batch.count; i++) {
      if (batch.type(i) === 3 && ((batch.flags(i) >> 1) & 3) === 1) {
        n += this.codec.encodeInto({ type: 4, packetId: batch.packetId(i) } as Packet, LEVEL, acks, n);
      }
    }
    this.received += batch.count;
    if (n > 0) this.socket.write(acks!.subarray(0, n)); // one write per chunk
    const w = this.waiter;
    if (w !== null && this.received >= w.until) {
      this.waiter = null;
      w.resolve();
    }
  }
}

function open(port: number, host: string, codec: Codec, ackQos1: boolean, level: 4 | 5 = LEVEL): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => resolve(new Peer(socket, codec, ackQos1, level)));
    socket.on("error", reject); // after connecting, an error only ends the warm-up early
  });
}

/** The broker a warm-up runs against: its counters, retained store and the limits the warm-up must respect. */
export interface WarmUpTarget {
  stats: BrokerStats;
  retained: RetainedStore;
  opts: { maximumQoS: number; retainAvailable: boolean; maxRetainedBacklog: number };
}

/**
 * Sends `messages` messages (rounded up to a round of 1000) through the broker listening on
 * host:port, then restores its counters and removes any retained message of the warm-up left
 * behind. Bounded by `timeoutMs`; never throws (a failed warm-up only means a cold start).
 */
export async function warmUp(port: number, host: string, broker: WarmUpTarget, messages: number, timeoutMs = 5000): Promise<void> {
  const { stats, opts } = broker;
  const retained = opts.retainAvailable // [MQTT-3.3.1-14] no retained PUBLISH where retain is unavailable
    ? Math.min(RETAINED_MAX, Math.ceil(messages * RETAINED_PER_MESSAGE), opts.maxRetainedBacklog)
    : 0;
  const saved = { ...stats };
  const target = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  const sockets: net.Socket[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false; // the retained phase deleted what it stored
  const run = async () => {
    const codec = createCodec(); // the client side's own: the broker's codec is not shared
    const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const connect = (clientId: string) => ({ type: 1, protocolName: "MQTT", protocolLevel: LEVEL, cleanStart: true, keepAlive: 60, clientId }) as Packet;
    // QoS 1 subscription: the outbound window and PUBACK paths warm up too.
    const sub = await open(port, target, codec, true);
    const sub5 = await open(port, target, codec, false, 5);
    const pub = await open(port, target, codec, false);
    sockets.push(sub.socket, sub5.socket, pub.socket);
    let ready = sub.next(2); // CONNACK, SUBACK
    sub.send(connect(`${WARMUP_CLIENT_PREFIX}s-${tag}`));
    sub.send({ type: 8, packetId: 1, subscriptions: [{ filter: TOPIC, qos: 1 }] } as Packet);
    await ready;
    ready = sub5.next(2);
    sub5.send({ ...connect(`${WARMUP_CLIENT_PREFIX}v-${tag}`), protocolLevel: 5, properties: { topicAliasMaximum: V5_ALIASES } } as Packet);
    // Also the retained phase's many topics: aliases assigned until none is left, then full topics.
    sub5.send({ type: 8, packetId: 1, subscriptions: [{ filter: TOPIC, qos: 0 }, { filter: `${RETAINED_ROOT}/#`, qos: 0 }] } as Packet);
    await ready;
    ready = pub.next(1); // CONNACK
    pub.send(connect(`${WARMUP_CLIENT_PREFIX}p-${tag}`));
    await ready;
    const round = publishRound(codec, opts.maximumQoS > 0);
    for (let sent = 0; sent < messages; sent += ROUND) {
      const answered = pub.next(round.answers);
      pub.socket.write(round.bytes);
      await answered;
    }
    if (retained > 0) await warmRetained(sub, pub, codec, retained);
    finished = true;
  };
  try {
    await Promise.race([run(), new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
  } catch {
    // a cold start is all that is lost
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    await closeAll(sockets);
    if (!finished) forgetRetained(broker.retained, retained); // cut short before its deletions
    const clients = stats.clients; // the one counter that already came back by itself
    Object.assign(stats, saved, { clients });
  }
}

/** Deletes the retained phase's topics from the store directly (no-ops for those already gone). */
function forgetRetained(store: RetainedStore, count: number): void {
  const utf8 = new TextEncoder(), empty = new Uint8Array(0);
  for (let i = 0; i < count; i++) {
    store.set({ topic: utf8.encode(`${RETAINED_ROOT}/${i}`), props: empty, payload: empty, qos: 0, retain: true, origin: -1 });
  }
}

/**
 * Retained store, retained index and backlog paths: `count` messages are stored, served to a new
 * QoS 1 subscription (acknowledged), then deleted, so none is left for a client to see.
 */
async function warmRetained(sub: Peer, pub: Peer, codec: Codec, count: number): Promise<void> {
  const ping = { type: 12 } as Packet; // packets are handled in order: PINGRESP means all before it were
  let done = pub.next(1);
  pub.socket.write(retainedRound(codec, count, new TextEncoder().encode("retained warm-up")));
  pub.send(ping);
  await done;
  done = sub.next(count + 1); // SUBACK and every stored message
  sub.send({ type: 8, packetId: 2, subscriptions: [{ filter: `${RETAINED_ROOT}/#`, qos: 1 }] } as Packet);
  await done;
  done = sub.next(1); // UNSUBACK
  sub.send({ type: 10, packetId: 3, filters: [`${RETAINED_ROOT}/#`] } as Packet);
  await done;
  done = pub.next(1);
  pub.socket.write(retainedRound(codec, count, new Uint8Array(0))); // [MQTT-3.3.1-10] empty payload deletes
  pub.send(ping);
  await done;
}

/** Sends DISCONNECT (no will) on each socket and waits, at most 1 s, for them to close. */
function closeAll(sockets: net.Socket[]): Promise<void> {
  const closed = sockets.map((s) => new Promise<void>((resolve) => {
    if (s.destroyed) return resolve();
    s.once("close", () => resolve());
    s.end(Uint8Array.from([0xe0, 0]));
  }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((resolve) => { timer = setTimeout(() => { for (const s of sockets) s.destroy(); resolve(); }, 1000); });
  return Promise.race([Promise.all(closed).then(() => {}), limit]).finally(() => clearTimeout(timer));
}
