/**
 * `/metrics`: the broker's counters and gauges in the Prometheus text format, named after
 * Prometheus' naming guide (`vireo_` prefix, base units, `_total` on counters). Everything is
 * read at scrape time: the counters from BrokerStats, the gauges from one session walk
 * (snapshot.ts), the runtime's memory from process.memoryUsage() and the event-loop delay from the
 * broker's tick (loop_delay.ts). A scrape costs O(sessions), nothing between scrapes.
 */
import process from "node:process";
import { DROP_REASONS } from "../session/stats.ts";
import { VERSION } from "../version.ts";
import type { LoopDelayMonitor } from "./loop_delay.ts";
import { PromText } from "./prom_text.ts";
import type { BrokerSnapshot } from "./snapshot.ts";

/** What a scrape reads besides the snapshot. */
export interface MetricsSources {
  snapshot: BrokerSnapshot;
  loopDelay: LoopDelayMonitor;
  /** When the operations side started (ms since the epoch). */
  startedAt: number;
  /** Which runtime serves ("bun", "deno", …), for vireo_build_info. */
  runtime: string;
}

/** The exposition text for one scrape. */
export function renderMetrics(src: MetricsSources): string {
  const s = src.snapshot, st = s.stats;
  const p = new PromText();
  p.family("vireo_build_info", "gauge", "Vireo's version and the runtime serving it (value 1).", [[{ version: VERSION, runtime: src.runtime }, 1]]);
  p.gauge("vireo_start_time_seconds", "When the operations endpoint started, in seconds since the epoch.", Math.floor(src.startedAt / 1000));
  p.gauge("vireo_clients_connected", "MQTT connections past CONNACK.", st.clients);
  p.gauge("vireo_clients_maximum", "Most MQTT connections seen at once.", st.clientsMaximum);
  p.gauge("vireo_connections_pending", "Sockets accepted that have not sent CONNECT yet.", s.pendingConnects);
  p.family("vireo_sessions", "gauge", "Sessions by state (a disconnected one waits for its client or its expiry).", [
    [{ state: "connected" }, s.sessions - s.disconnected], [{ state: "disconnected" }, s.disconnected],
  ]);
  p.counter("vireo_sockets_opened_total", "Sockets accepted.", st.socketsOpened);
  p.family("vireo_connects_total", "counter", "CONNECT packets by outcome.", [
    [{ result: "accepted" }, st.connectsAccepted], [{ result: "refused" }, st.connectsRefused],
  ]);
  p.counter("vireo_sessions_expired_total", "Disconnected sessions ended by their expiry interval.", st.sessionsExpired);
  p.counter("vireo_protocol_errors_total", "Connections closed for a malformed packet or a protocol violation.", st.protocolErrors);
  p.counter("vireo_packets_received_total", "MQTT packets of every type received.", st.packetsReceived);
  p.counter("vireo_packets_sent_total", "MQTT packets of every type sent.", st.packetsSent);
  p.counter("vireo_bytes_received_total", "Bytes received on MQTT connections.", st.bytesReceived);
  p.counter("vireo_bytes_sent_total", "Bytes of MQTT packets sent.", st.bytesSent);
  p.family("vireo_messages_received_total", "counter", "PUBLISH packets received from clients, by QoS.",
    byQos(st.publishesReceived, st.publishesReceivedQos1, st.publishesReceivedQos2));
  p.family("vireo_messages_sent_total", "counter", "PUBLISH packets sent to clients (live, queued, re-sent, retained), by QoS.",
    byQos(st.publishesSent, st.publishesSentQos1, st.publishesSentQos2));
  p.family("vireo_messages_dropped_total", "counter", "Messages not delivered, by reason.",
    Object.entries(DROP_REASONS).map(([reason, key]) => [{ reason }, st[key]] as const));
  p.counter("vireo_wills_published_total", "Will messages published.", st.willsPublished);
  p.gauge("vireo_retained_messages", "Retained messages stored (the $SYS tree's included).", s.retained);
  p.gauge("vireo_subscriptions", "Subscriptions held by all sessions.", s.subscriptions);
  p.gauge("vireo_queued_messages", "Deliveries queued in sessions (offline, or behind the inflight window or a congested socket).", s.queued);
  p.gauge("vireo_inflight_messages", "Outbound QoS 1/2 messages awaiting their acknowledgement.", s.inflight);
  p.gauge("vireo_retained_backlog_messages", "Retained messages still owed to new subscriptions.", s.backlog);
  runtimeMetrics(p, src.loopDelay);
  return p.toString();
}

/** A PUBLISH count split by QoS (the QoS 0 share is what the QoS 1 and 2 counters leave). */
function byQos(total: number, qos1: number, qos2: number): Array<readonly [{ qos: string }, number]> {
  return [[{ qos: "0" }, total - qos1 - qos2], [{ qos: "1" }, qos1], [{ qos: "2" }, qos2]];
}

/** Memory and event-loop delay of the runtime. */
function runtimeMetrics(p: PromText, loop: LoopDelayMonitor): void {
  const m = process.memoryUsage();
  p.gauge("vireo_runtime_resident_memory_bytes", "Resident set size of the process.", m.rss);
  p.gauge("vireo_runtime_heap_used_bytes", "JavaScript heap in use.", m.heapUsed);
  p.gauge("vireo_runtime_heap_total_bytes", "JavaScript heap reserved.", m.heapTotal);
  p.gauge("vireo_runtime_external_memory_bytes", "Memory held outside the JavaScript heap (buffers, WebAssembly).", m.external);
  const d = loop.read();
  p.gauge("vireo_event_loop_delay_seconds", "Mean lateness of the broker's timer tick over about the last ten seconds.", d.mean);
  p.gauge("vireo_event_loop_delay_max_seconds", "Largest lateness of the broker's timer tick over about the last ten seconds.", d.max);
}
