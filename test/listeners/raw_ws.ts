/**
 * A raw WebSocket client over TCP for tests that must shape frames (fragments, text frames, a
 * reader that stops reading) or send garbage: the handshake and RFC 6455 framing by hand, client
 * frames masked, server frames parsed into messages that feed an MQTT parser.
 */
import { connect, type Socket } from "node:net";
import { Buffer } from "node:buffer";
import mqttPacket from "mqtt-packet";
import { type AnyPacket, takePacket, waitClosed } from "../helpers/raw.ts";
import { sleep } from "../helpers/broker.ts";

/** Opcodes (RFC 6455 §5.2). */
export const OP = { continuation: 0, text: 1, binary: 2, close: 8 } as const;

/** One frame as the client sends it (masked, as clients must). */
export function frame(opcode: number, payload: Uint8Array, fin = true): Uint8Array {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = new Uint8Array(head + 4 + len);
  out[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out[2] = len >> 8;
    out[3] = len & 255;
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(len));
  }
  const mask = [0x12, 0x34, 0x56, 0x78];
  out.set(mask, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i] ^ mask[i & 3];
  return out;
}

/** A raw WebSocket connection after a successful (or refused) upgrade. */
export class RawWs {
  readonly packets: AnyPacket[] = [];
  /** Status line and headers of the upgrade answer. */
  response = "";
  closed = false;
  /** Close code the server sent, if any. */
  closeCode = -1;
  received = 0;
  /** Binary / continuation frames received. */
  frames = 0;
  /** Answer the server's close frame, as a well-behaved client does. */
  answerClose = true;
  private buf = new Uint8Array(0);
  private headerDone = false;
  private readonly parser: ReturnType<typeof mqttPacket.parser>;

  private constructor(readonly socket: Socket, level: number) {
    this.parser = mqttPacket.parser({ protocolVersion: level });
    this.parser.on("packet", (p: AnyPacket) => this.packets.push(p));
    this.parser.on("error", () => {});
    socket.on("data", (d: Uint8Array) => this.onBytes(new Uint8Array(d)));
    socket.on("close", () => (this.closed = true));
    socket.on("error", () => {});
  }

  /** Connects and sends `request` (default: a valid upgrade offering `protocols`); waits for the answer. */
  static async open(port: number, opts: { path?: string; protocols?: string; request?: string; level?: number } = {}): Promise<RawWs> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => resolve(s));
      s.once("error", reject);
    });
    const ws = new RawWs(socket, opts.level ?? 4);
    socket.write(opts.request ?? [
      `GET ${opts.path ?? "/mqtt"} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Upgrade: websocket", "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
      ...(opts.protocols === "" ? [] : [`Sec-WebSocket-Protocol: ${opts.protocols ?? "mqtt"}`]), "", "",
    ].join("\r\n"));
    const deadline = Date.now() + 3000;
    while (!ws.headerDone && !ws.closed && Date.now() < deadline) await sleep(5);
    return ws;
  }

  /** The status code of the upgrade answer (101 = switched to WebSocket). */
  get status(): number {
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(this.response)?.[1] ?? 0);
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Waits for a packet of `cmd`; removes and returns it. */
  next(cmd: string, timeoutMs = 3000): Promise<AnyPacket> {
    return takePacket(this, cmd, timeoutMs);
  }

  waitClosed(timeoutMs = 3000): Promise<boolean> {
    return waitClosed(this, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onBytes(d: Uint8Array): void {
    this.received += d.length;
    const all = new Uint8Array(this.buf.length + d.length);
    all.set(this.buf);
    all.set(d, this.buf.length);
    this.buf = all;
    if (!this.headerDone) {
      const text = new TextDecoder().decode(this.buf);
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return;
      this.response = text.slice(0, end);
      this.headerDone = true;
      this.buf = this.buf.subarray(new TextEncoder().encode(text.slice(0, end + 4)).length);
      if (this.status !== 101) return;
    }
    this.parseFrames();
  }

  /** Server frames are unmasked: [FIN|opcode] [len] [ext len] payload. */
  private parseFrames(): void {
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      let len = b[1] & 0x7f, off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = (b[2] << 8) | b[3];
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(2));
        off = 10;
      }
      if (b.length < off + len) return;
      const op = b[0] & 0x0f, payload = b.subarray(off, off + len);
      if (op === OP.close) {
        this.closeCode = len >= 2 ? (payload[0] << 8) | payload[1] : 1005;
        if (this.answerClose) this.socket.write(frame(OP.close, payload.slice(0, 2))); // RFC 6455 §5.5.1
      }
      else if (op === OP.binary || op === OP.continuation) {
        this.frames++;
        this.parser.parse(Buffer.from(payload));
      }
      this.buf = b.subarray(off + len);
    }
  }
}
