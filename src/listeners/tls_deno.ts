/**
 * mqtts on Deno. Deno.listenTls can neither ask for nor verify a client certificate, set a lowest
 * TLS version, nor swap its certificate, so Deno serves TLS through its node:tls server (which
 * can, with setSecureContext for reloads). Each TLS socket is presented as a DenoConn, so the
 * batched, backpressure-aware DenoConnection of the plain TCP path serves it unchanged.
 */
import tls from "node:tls";
import type { DenoConn, DenoListener } from "../transport/deno.ts";
import type { TlsMaterial } from "../transport/types.ts";

/** Default for how long a TLS handshake may take before the socket is dropped (half-handshake peers). */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Read-ahead a TLS socket may hold while the broker has paused reading. */
const READ_AHEAD_MAX = 64 * 1024;

/** node:tls options for our material. */
function secureOptions(m: TlsMaterial, handshakeTimeout: number): tls.TlsOptions {
  return {
    cert: m.cert, key: m.key, ...(m.ca === undefined ? {} : { ca: m.ca }),
    requestCert: m.requireCertificate, rejectUnauthorized: m.requireCertificate,
    minVersion: m.minVersion, handshakeTimeout,
  };
}

/** One TLS socket as a DenoConn: reads are pulled from what the socket pushed. */
class TlsSocketConn implements DenoConn {
  readonly remoteAddr: { hostname?: string; port?: number };
  readonly peerCommonName: string | undefined;
  private chunks: Uint8Array[] = [];
  private queued = 0;
  private eof = false;
  private error: Error | null = null;
  private waiter: (() => void) | null = null;

  constructor(private readonly socket: tls.TLSSocket, verified: boolean) {
    this.remoteAddr = { hostname: socket.remoteAddress, port: socket.remotePort };
    const cn = verified && socket.authorized ? socket.getPeerCertificate()?.subject?.CN : undefined;
    this.peerCommonName = Array.isArray(cn) ? cn[cn.length - 1] : cn;
    socket.on("data", (b: Uint8Array) => {
      this.chunks.push(b);
      this.queued += b.length;
      if (this.queued > READ_AHEAD_MAX) socket.pause();
      this.wake();
    });
    socket.on("end", () => {
      this.eof = true;
      this.wake();
    });
    socket.on("error", (err: Error) => {
      this.error = err;
      this.wake();
    });
    socket.on("close", () => {
      this.eof = true;
      this.wake();
    });
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.chunks.length === 0) {
      if (this.error !== null) throw this.error;
      if (this.eof) return null;
      await new Promise<void>((r) => (this.waiter = r));
    }
    const head = this.chunks[0];
    const n = Math.min(head.length, p.length);
    p.set(n === head.length ? head : head.subarray(0, n));
    if (n === head.length) this.chunks.shift();
    else this.chunks[0] = head.subarray(n);
    this.queued -= n;
    if (this.queued <= READ_AHEAD_MAX && this.socket.isPaused()) this.socket.resume();
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    // The callback fires once the socket is done with `p`: only then may the caller reuse it.
    return new Promise((resolve, reject) => {
      this.socket.write(p, (err?: Error | null) => (err ? reject(err) : resolve(p.length)));
    });
  }

  closeWrite(): Promise<void> {
    this.socket.end();
    return Promise.resolve();
  }

  close(): void {
    this.socket.destroy();
    this.eof = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

/** A node:tls server as a DenoListener, plus reloadTls. */
export interface TlsSource extends DenoListener {
  reloadTls(m: TlsMaterial): Promise<void>;
}

/** Binds a TLS server; rejects if the address cannot be bound or the runtime refuses the material. */
export async function listenTls(
  host: string, port: number, material: TlsMaterial, handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS,
): Promise<TlsSource> {
  const server = tls.createServer(secureOptions(material, handshakeTimeoutMs));
  const ready: TlsSocketConn[] = [];
  let waiter: { resolve(c: TlsSocketConn): void; reject(e: Error): void } | null = null;
  let closed = false;
  const verified = material.requireCertificate;
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    const conn = new TlsSocketConn(socket, verified);
    const w = waiter;
    waiter = null;
    if (w !== null) w.resolve(conn);
    else ready.push(conn);
  });
  // A failed handshake (plain MQTT, wrong CA, a peer that gave up) costs only its own socket.
  server.on("tlsClientError", (_err: Error, socket: tls.TLSSocket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", () => {}); // after bind: accept errors are transient, sockets report their own
  const addr = server.address() as { port: number };
  return {
    addr: { port: addr.port },
    accept(): Promise<TlsSocketConn> {
      const c = ready.shift();
      if (c !== undefined) return Promise.resolve(c);
      if (closed) return Promise.reject(new Error("listener closed"));
      return new Promise((resolve, reject) => (waiter = { resolve, reject }));
    },
    close(): void {
      closed = true;
      server.close();
      for (const c of ready.splice(0)) c.close();
      const w = waiter;
      waiter = null;
      w?.reject(new Error("listener closed"));
    },
    reloadTls(m: TlsMaterial): Promise<void> {
      try {
        server.setSecureContext(secureOptions(m, handshakeTimeoutMs)); // new handshakes only; open sockets keep theirs
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
}
