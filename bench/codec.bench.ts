/**
 * Codec micro-benchmarks: the WASM codec against mqtt-packet, measured in the same run.
 *
 * Decode: a stream of PUBLISH packets (16 B, 256 B, 4 KiB payloads) pushed in 64 KiB chunks, as
 * socket reads arrive. "wasm frames" is the broker's hot path (frame table only, numbers read per
 * frame); "wasm frames (payload in place)" the same with `inPlacePayloadBytes` (payloads of at least
 * IN_PLACE_MIN bytes stay in the chunk, not copied into WASM memory); "wasm packets" also
 * materialises every packet object, as mqtt-packet's parser does.
 * Encode: PUBLISH (16 B / 256 B), CONNACK and SUBACK with `encode` (a fresh copy) and
 * `encodeInto` (a caller's buffer), against mqtt-packet's `generate`.
 *
 * Standalone: `bun run bench/codec.bench.ts`. From bench/index.ts: `runCodecBenchmarks(opts)`.
 */
import { Bench } from "tinybench";
import mqttPacket from "mqtt-packet";
import { createCodecWasm } from "../src/wasm/codec_instance.ts";
import { createDecoderFactory } from "../src/wasm/decoder.ts";
import { createEncoder } from "../src/wasm/encoder.ts";
import type { Packet } from "../src/protocol/packets.ts";
import type { StreamDecoder } from "../src/wasm/types.ts";

/** One result row; `ratio` is this row's ops/s over mqtt-packet's in the same group. */
export interface CodecBenchRow {
  name: string;
  opsPerSec: number;
  mbPerSec?: number;
  ratio?: number;
}

/** Options: time per task in ms (default 500), whether to print a table. */
export interface CodecBenchOptions {
  time?: number;
  print?: boolean;
}

const STREAM_PACKETS = 256; // PUBLISH packets per decoded stream (one task iteration)
const CHUNK = 64 * 1024;     // bytes per push, like a socket read
const ENCODE_BATCH = 64;     // encodes per task iteration, so timer overhead does not dominate
const IN_PLACE_MIN = 1024;   // inPlacePayloadBytes of the in-place row

type Generated = { cmd: string; [k: string]: unknown };

function publishStream(payloadSize: number): { chunks: Buffer[]; bytes: number } {
  const parts: Buffer[] = [];
  for (let i = 0; i < STREAM_PACKETS; i++) {
    parts.push(mqttPacket.generate({
      cmd: "publish", topic: `sensors/building-${i % 8}/room-${i % 32}/temperature`,
      payload: Buffer.alloc(payloadSize, i & 0xff), qos: (i % 2) as 0 | 1,
      messageId: i % 2 ? 1 + i : undefined, retain: false, dup: false,
    } as never));
  }
  const all = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let o = 0; o < all.length; o += CHUNK) chunks.push(all.subarray(o, Math.min(all.length, o + CHUNK)));
  return { chunks, bytes: all.length };
}

/** Tasks decoding one stream per iteration; each checks it saw every packet. */
function decodeTasks(payloadSize: number) {
  const { chunks, bytes } = publishStream(payloadSize);
  const decoders = createDecoderFactory(createCodecWasm());
  const decoder = decoders({ protocolLevel: 4 });
  const inPlace = decoders({ protocolLevel: 4, inPlacePayloadBytes: IN_PLACE_MIN });
  let sink = 0;
  const frames = (d: StreamDecoder) => () => {
    let n = 0;
    for (const c of chunks) {
      const b = d.push(c);
      for (let i = 0; i < b.count; i++) sink += b.topicLength(i) + b.payloadLength(i);
      n += b.count;
    }
    if (n !== STREAM_PACKETS) throw new Error(`wasm decoded ${n} of ${STREAM_PACKETS}`);
  };
  const wasmPackets = () => {
    let n = 0;
    for (const c of chunks) {
      const b = decoder.push(c);
      for (let i = 0; i < b.count; i++) sink += (b.packet(i) as { payload: Uint8Array }).payload.length;
      n += b.count;
    }
    if (n !== STREAM_PACKETS) throw new Error(`wasm decoded ${n} of ${STREAM_PACKETS}`);
  };
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let parsed = 0;
  parser.on("packet", (p) => { parsed++; sink += (p as { payload?: Buffer }).payload?.length ?? 0; });
  parser.on("error", (e: Error) => { throw e; });
  const reference = () => {
    parsed = 0;
    for (const c of chunks) parser.parse(c);
    if (parsed !== STREAM_PACKETS) throw new Error(`mqtt-packet parsed ${parsed} of ${STREAM_PACKETS}`);
  };
  const tasks = {
    "wasm frames": frames(decoder), "wasm frames (payload in place)": frames(inPlace), "wasm packets": wasmPackets,
    "mqtt-packet": reference,
  };
  return { bytes, tasks, sink: () => sink };
}

/** The packets encoded, in Vireo's model and mqtt-packet's. */
function encodeCases(): Array<{ label: string; ours: Packet; theirs: Generated }> {
  const topic = "sensors/building-1/room-12/temperature";
  const pub = (n: number): [Packet, Generated] => {
    const payload = new Uint8Array(n).fill(7);
    return [
      { type: 3, dup: false, qos: 1, retain: false, topic, packetId: 42, payload } as Packet,
      { cmd: "publish", topic, payload: Buffer.from(payload), qos: 1, messageId: 42, retain: false, dup: false },
    ];
  };
  const [p16, g16] = pub(16);
  const [p256, g256] = pub(256);
  return [
    { label: "PUBLISH 16 B", ours: p16, theirs: g16 },
    { label: "PUBLISH 256 B", ours: p256, theirs: g256 },
    { label: "CONNACK", ours: { type: 2, sessionPresent: false, reasonCode: 0 } as Packet,
      theirs: { cmd: "connack", returnCode: 0, sessionPresent: false } },
    { label: "SUBACK", ours: { type: 9, packetId: 7, reasonCodes: [0, 1, 0x80] } as Packet,
      theirs: { cmd: "suback", messageId: 7, granted: [0, 1, 0x80] } },
  ];
}

function perSecond(bench: Bench, name: string, perIteration: number): number {
  const r = bench.getTask(name)?.result as { period?: number } | undefined;
  return r?.period ? (1000 / r.period) * perIteration : 0;
}

async function decodeRows(time: number): Promise<CodecBenchRow[]> {
  const rows: CodecBenchRow[] = [];
  for (const size of [16, 256, 4096]) {
    const { bytes, tasks } = decodeTasks(size);
    const bench = new Bench({ time, warmupTime: Math.min(100, time) });
    for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
    await bench.run();
    const ref = perSecond(bench, "mqtt-packet", STREAM_PACKETS);
    for (const name of Object.keys(tasks)) {
      const ops = perSecond(bench, name, STREAM_PACKETS);
      rows.push({
        name: `decode PUBLISH ${size} B: ${name}`, opsPerSec: ops,
        mbPerSec: (ops / STREAM_PACKETS) * bytes / 1e6, ratio: ref ? ops / ref : undefined,
      });
    }
  }
  return rows;
}

async function encodeRows(time: number): Promise<CodecBenchRow[]> {
  const enc = createEncoder(createCodecWasm());
  const target = new Uint8Array(64 * 1024);
  const rows: CodecBenchRow[] = [];
  for (const c of encodeCases()) {
    const size = enc.encode(c.ours, 4).length;
    const check = mqttPacket.generate(c.theirs as never);
    if (!Buffer.from(enc.encode(c.ours, 4)).equals(check)) throw new Error(`${c.label}: encodings differ`);
    const bench = new Bench({ time, warmupTime: Math.min(100, time) });
    bench.add("wasm encode", () => { for (let i = 0; i < ENCODE_BATCH; i++) enc.encode(c.ours, 4); });
    bench.add("wasm encodeInto", () => {
      let off = 0;
      for (let i = 0; i < ENCODE_BATCH; i++) off += enc.encodeInto(c.ours, 4, target, off);
    });
    bench.add("mqtt-packet", () => { for (let i = 0; i < ENCODE_BATCH; i++) mqttPacket.generate(c.theirs as never); });
    await bench.run();
    const ref = perSecond(bench, "mqtt-packet", ENCODE_BATCH);
    for (const name of ["wasm encode", "wasm encodeInto", "mqtt-packet"]) {
      const ops = perSecond(bench, name, ENCODE_BATCH);
      rows.push({ name: `encode ${c.label}: ${name}`, opsPerSec: ops, mbPerSec: (ops * size) / 1e6,
        ratio: ref ? ops / ref : undefined });
    }
  }
  return rows;
}

/** Markdown table of codec rows. */
export function codecTable(rows: CodecBenchRow[]): string {
  const lines = ["| benchmark | packets/s | MB/s | ×mqtt-packet |", "|---|---|---|---|"];
  for (const r of rows) {
    lines.push(`| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString("en-US")} | ` +
      `${r.mbPerSec?.toFixed(1) ?? "—"} | ${r.ratio?.toFixed(2) ?? "—"} |`);
  }
  return lines.join("\n");
}

/** Runs the decode and encode benchmarks; returns one row per task. */
export async function runCodecBenchmarks(opts: CodecBenchOptions = {}): Promise<CodecBenchRow[]> {
  const time = opts.time ?? 500;
  const rows = [...await decodeRows(time), ...await encodeRows(time)];
  if (opts.print ?? true) console.log(codecTable(rows));
  return rows;
}

if (import.meta.main) await runCodecBenchmarks();
