/** Shared helpers for the transport tests: a recording handler set and node:net client helpers. */
import { connect, type Socket } from "node:net";
import { createTransport } from "../../src/transport/index.ts";
import type { Connection, ConnectionHandlers, Listener } from "../../src/transport/index.ts";

/** Records every callback so tests can assert on order and counts. */
export class Recorder implements ConnectionHandlers {
  opened: Connection[] = [];
  closes = new Map<number, number>();
  errors: (Error | undefined)[] = [];
  drains = 0;
  received = 0;
  onOpenHook: (c: Connection) => void = () => {};
  onDataHook: (c: Connection, chunk: Uint8Array) => void = () => {};
  private closeWaiters: (() => void)[] = [];
  onOpen(c: Connection): void {
    this.opened.push(c);
    this.onOpenHook(c);
  }
  onData(c: Connection, chunk: Uint8Array): void {
    this.received += chunk.length;
    this.onDataHook(c, chunk);
  }
  onClose(c: Connection, error?: Error): void {
    this.closes.set(c.id, (this.closes.get(c.id) ?? 0) + 1);
    this.errors.push(error);
    for (const w of this.closeWaiters.splice(0)) w();
  }
  onDrain(): void {
    this.drains++;
  }
  async waitClosed(n: number): Promise<void> {
    while (this.closes.size < n) await new Promise<void>((r) => this.closeWaiters.push(r));
  }
}

export async function startServer(rec: Recorder, endTimeoutMs?: number): Promise<Listener> {
  return createTransport().listen({ host: "127.0.0.1", port: 0, endTimeoutMs }, rec);
}

export function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

/** Collects everything the server sends until it closes the connection. */
export function readAll(s: Socket): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  return new Promise((resolve) => {
    s.on("data", (d: Uint8Array) => parts.push(new Uint8Array(d)));
    s.on("close", () => resolve(concat(parts)));
  });
}

export function readBytes(s: Socket, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let got = 0;
  return new Promise((resolve) => {
    const onData = (d: Uint8Array) => {
      parts.push(new Uint8Array(d));
      got += d.length;
      if (got >= n) {
        s.off("data", onData);
        resolve(concat(parts));
      }
    };
    s.on("data", onData);
  });
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const text = (b: Uint8Array) => new TextDecoder().decode(b);
