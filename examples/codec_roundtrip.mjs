// examples/codec_roundtrip.mjs: encodes a PUBLISH, decodes it back from a stream fed in two halves,
// and prints what came out. Runs unchanged on Node 20, Bun and Deno:
//   node examples/codec_roundtrip.mjs
//   node_modules/.bin/bun run examples/codec_roundtrip.mjs
//   node_modules/.bin/deno run --allow-read --allow-env examples/codec_roundtrip.mjs
import { createCodec } from "vireo/codec";

const codec = createCodec();
const publish = {
  type: 3, topic: "sensors/42/temp", payload: new TextEncoder().encode("21.5"),
  qos: 1, packetId: 7, dup: false, retain: true,
};
const bytes = codec.encode(publish, 4); // 4 = MQTT 3.1.1, 5 = MQTT 5.0
const decoder = codec.createDecoder({ protocolLevel: 4 });
const firstCount = decoder.push(bytes.subarray(0, 5)).count; // a partial packet: no frame yet
const rest = decoder.push(bytes.subarray(5));
const packet = rest.packet(0);
console.log(JSON.stringify({
  bytes: bytes.length, framesAfterFirstHalf: firstCount, needed: decoder.needed,
  topic: packet.topic, payload: new TextDecoder().decode(packet.payload), qos: packet.qos, retain: packet.retain,
}));
