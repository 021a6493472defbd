/**
 * The `$SYS/broker/...` tree with Mosquitto's names and meanings (its src/sys_tree.c and the
 * "Broker Status" section of mosquitto(8)), so existing dashboards and scripts keep working.
 *
 * Every `sysInterval` seconds, on the broker's own tick, the counters are read once
 * (snapshot.ts), the load averages advanced, and each value whose text changed since the last
 * update is published retained at QoS 0 as the server. Nothing here runs on the message path.
 *
 * `$SYS/...` topics start with '$', so the topic index never matches them with a filter that
 * starts with a wildcard (`#`, `+/...`) [MQTT-4.7.2-1]: a client sees them only by subscribing to
 * `$SYS/...` explicitly. They are routed like any server publication, so access control that
 * decides who may subscribe to or receive a topic applies to `$SYS` too (the ACL seam: nothing
 * here bypasses the router).
 */
import process from "node:process";
import type { Broker } from "../broker/broker.ts";
import { droppedTotal } from "../session/stats.ts";
import type { Tickable } from "../timers/clock.ts";
import { VERSION } from "../version.ts";
import { LOAD_WINDOWS, LoadAverage } from "./load_average.ts";
import { type BrokerSnapshot, takeSnapshot } from "./snapshot.ts";

const ROOT = "$SYS/broker/";

/** Counters with load averages: `load/<name>/<window>` → the snapshot value it follows. */
const LOADS: ReadonlyArray<readonly [string, (s: BrokerSnapshot) => number]> = [
  ["messages/received", (s) => s.stats.packetsReceived],
  ["messages/sent", (s) => s.stats.packetsSent],
  ["publish/received", (s) => s.stats.publishesReceived],
  ["publish/sent", (s) => s.stats.publishesSent],
  ["publish/dropped", (s) => droppedTotal(s.stats)],
  ["bytes/received", (s) => s.stats.bytesReceived],
  ["bytes/sent", (s) => s.stats.bytesSent],
  ["connections", (s) => s.stats.connectsAccepted],
  ["sockets", (s) => s.stats.socketsOpened],
];

/** Publishes the `$SYS` tree of one broker; a ticker target (see Broker). */
export class SysTree implements Tickable {
  private readonly last = new Map<string, string>();
  private readonly loads: LoadAverage[];
  private readonly startedAt: number;
  private lastUpdate: number;
  private heapMaximum = 0;

  /** `intervalSec` > 0; `now` is the broker's millisecond clock. */
  constructor(private readonly broker: Broker, private readonly intervalSec: number, private readonly now: () => number) {
    this.startedAt = this.lastUpdate = now();
    const first = takeSnapshot(broker.core);
    this.loads = LOADS.map(([, read]) => new LoadAverage(read(first)));
  }

  /** Publishes the static topics and a first reading. */
  start(): void {
    this.put("version", `vireo version ${VERSION}`);
    this.update(this.now());
  }

  /** Ticker callback: an update once `intervalSec` has passed since the last. */
  advance(now: number): void {
    if (now - this.lastUpdate >= this.intervalSec * 1000) this.update(now);
  }

  /** Reads the broker and publishes what changed. */
  update(now: number): void {
    const dtSec = (now - this.lastUpdate) / 1000;
    this.lastUpdate = now;
    const s = takeSnapshot(this.broker.core);
    const st = s.stats;
    const connected = st.clients;
    this.put("uptime", `${Math.floor((now - this.startedAt) / 1000)} seconds`);
    this.put("clients/connected", connected);
    this.put("clients/active", connected); // deprecated Mosquitto alias, kept for old tools
    this.put("clients/disconnected", s.disconnected);
    this.put("clients/inactive", s.disconnected); // deprecated alias
    this.put("clients/total", connected + s.disconnected);
    this.put("clients/maximum", st.clientsMaximum);
    this.put("clients/expired", st.sessionsExpired);
    const stored = s.retained + s.queued + s.inflight;
    this.put("messages/stored", stored);
    this.put("store/messages/count", stored);
    this.put("messages/received", st.packetsReceived);
    this.put("messages/sent", st.packetsSent);
    this.put("publish/messages/received", st.publishesReceived);
    this.put("publish/messages/sent", st.publishesSent);
    this.put("publish/messages/dropped", droppedTotal(st));
    this.put("bytes/received", st.bytesReceived);
    this.put("bytes/sent", st.bytesSent);
    this.put("retained messages/count", s.retained);
    this.put("subscriptions/count", s.subscriptions);
    const heap = process.memoryUsage().heapUsed;
    if (heap > this.heapMaximum) this.heapMaximum = heap;
    this.put("heap/current", heap);
    this.put("heap/maximum", this.heapMaximum);
    if (dtSec > 0) this.updateLoads(s, dtSec);
  }

  private updateLoads(s: BrokerSnapshot, dtSec: number): void {
    for (let i = 0; i < LOADS.length; i++) {
      const load = this.loads[i];
      load.update(LOADS[i][1](s), dtSec);
      for (let w = 0; w < LOAD_WINDOWS.length; w++) {
        this.put(`load/${LOADS[i][0]}/${LOAD_WINDOWS[w][1]}`, load.values[w].toFixed(2)); // Mosquitto's "%.2f"
      }
    }
  }

  /** Publishes `$SYS/broker/<topic>` retained when its text differs from the last one published. */
  private put(topic: string, value: string | number): void {
    const text = String(value);
    if (this.last.get(topic) === text) return;
    this.last.set(topic, text);
    // Not written to storage: rebuilt at every start (Mosquitto does not persist $SYS either).
    this.broker.publish(ROOT + topic, text, { retain: this.broker.core.opts.retainAvailable, durable: false });
  }
}
