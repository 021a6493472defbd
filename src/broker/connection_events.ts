/**
 * A connection's life as the transport reports it: open (a Client, the connect timeout), data
 * (one decoder push per chunk, then each frame to CONNECT, AUTH or the packet dispatch), drain and
 * close. Every transport calls these through the Broker's guarded handlers.
 */
import type { Connection } from "../transport/index.ts";
import { ReasonCode } from "../protocol/reason_codes.ts";
import { PacketType } from "../protocol/packets.ts";
import type { DecoderOptions, FrameBatch } from "../wasm/types.ts";
import { Client, ClientState } from "./client.ts";
import type { BrokerCore, HeldPackets } from "./core.ts";
import { admitAuthenticated, handleConnect } from "./connect.ts";
import { holdFrames, joinFrames } from "./held_packets.ts";
import { handleAuth } from "./enhanced_auth.ts";
import { dispatch } from "./dispatch.ts";
import { fail } from "./errors.ts";
import { detach } from "./lifecycle.ts";

/** The transport callbacks' work, for one broker. */
export class ConnectionEvents {
  constructor(private readonly core: BrokerCore, private readonly decoderOptions: DecoderOptions) {}

  onOpen(conn: Connection): void {
    const core = this.core, opts = core.opts;
    // Open connections: those still owing a CONNECT, the connected ones, and those the broker is
    // closing (lingering until the client has read why).
    if (opts.maxConnections > 0 && core.clients.size + core.stats.clients + core.ending.size >= opts.maxConnections) {
      return conn.destroy();
    }
    core.stats.socketsOpened++;
    const client = new Client(conn, core.decoders(this.decoderOptions), core.termsAwaitConnect);
    conn.context = client;
    core.clients.set(conn.id, client);
    if (opts.connectTimeoutMs > 0) {
      core.clock.refresh(); // deadlines read the clock afresh: the cached one may lag by a tick (more under load)
      core.keepAlive.watchMs(client, opts.connectTimeoutMs); // until CONNECT: the connect timeout
    }
  }

  /** One socket chunk. A throw here is a broker bug: log it and drop only this client. */
  onData(conn: Connection, chunk: Uint8Array): void {
    const c = conn.context as Client | undefined;
    if (c === undefined || c.state === ClientState.Closed) return;
    try {
      this.process(c, chunk);
    } catch (err) {
      this.core.opts.log(`client ${c.clientId || conn.id}: internal error: ${(err as Error).stack ?? err}`, { level: "error", clientId: c.clientId });
      fail(this.core, c, ReasonCode.UnspecifiedError);
    }
  }

  /** ONE decoder push for the chunk, then each frame in order. */
  private process(c: Client, chunk: Uint8Array): void {
    const core = this.core;
    const stats = core.stats;
    stats.bytesReceived += chunk.length;
    if (c.state === ClientState.Authenticating) {
      core.authenticating.get(c)?.chunks.push(chunk.slice()); // decoded after the verdict, in order
      return;
    }
    const batch = c.decoder.push(chunk);
    const n = batch.count;
    if (n === 0) return;
    stats.packetsReceived += n; // a malformed frame among them is counted too, as Mosquitto reads it
    // One clock read per chunk: after an event-loop stall the tick's cached time is stale, and
    // keep-alive (watch/touch read it) would time out a client whose packets came in time.
    core.clock.refresh();
    let i = 0;
    core.batch = batch;
    core.frame = 0;
    if (c.state === ClientState.AwaitConnect) {
      core.keepAlive.unwatch(c); // the connect timeout; a successful CONNECT starts the keep-alive
      handleConnect(core, c, batch, 0);
      i = 1;
    } else if (c.state === ClientState.Connected) core.keepAlive.touch(c); // any packet resets the keep-alive timer
    this.run(c, batch, i);
  }

  /**
   * Frames `i`… of `batch`: dispatched while connected; AUTH steps during enhanced
   * authentication; held while a verdict is pending.
   */
  private run(c: Client, batch: FrameBatch, i: number): void {
    // The batch stays readable if an encode grows codec memory meanwhile (its views re-map).
    this.core.batch = batch; // for protocol-error log lines (errors.ts)
    for (const n = batch.count; i < n; i++) {
      this.core.frame = i;
      const state = c.state;
      if (state === ClientState.Connected) {
        const reason = batch.reason(i);
        if (reason !== 0) return fail(this.core, c, reason);
        dispatch(this.core, c, batch, i);
      } else if (state === ClientState.AwaitAuth) this.authStep(c, batch, i);
      else if (state === ClientState.Authenticating) return holdFrames(this.core.authenticating.get(c)!, batch, i);
      else return;
    }
  }

  /** A packet during enhanced authentication: AUTH continues it, DISCONNECT ends it, anything else is an error. */
  private authStep(c: Client, batch: FrameBatch, i: number): void {
    const core = this.core;
    const reason = batch.reason(i), type = batch.type(i);
    if (reason === 0 && type === PacketType.AUTH) return handleAuth(core, c, batch, i, admitAuthenticated);
    core.enhancedAuth.delete(c);
    if (reason === 0 && type === PacketType.DISCONNECT) {
      c.state = ClientState.Closed;
      core.clients.delete(c.conn.id);
      return c.conn.end();
    }
    fail(core, c, reason !== 0 ? reason : ReasonCode.ProtocolError); // [MQTT-3.1.2-30]
  }

  /**
   * The client was accepted after an asynchronous authentication: run the whole packets held
   * from the CONNECT's chunk (through a decoder of their own: the client's may hold a partial
   * packet that follows them), then the chunks that came later, in order.
   */
  resumeHeld(c: Client, held: HeldPackets): void {
    if (held.frames.length > 0) {
      const replay = this.core.decoders(this.decoderOptions);
      replay.protocolLevel = c.decoder.protocolLevel;
      this.run(c, replay.push(joinFrames(held.frames)), 0);
    }
    if (held.failReason !== 0) {
      if (c.state === ClientState.Connected) fail(this.core, c, held.failReason);
      return;
    }
    for (const chunk of held.chunks) {
      if (c.state !== ClientState.Connected) return;
      this.onData(c.conn, chunk);
    }
  }

  /** The socket closed: without a DISCONNECT first, the will goes out [MQTT-3.1.2-8]. */
  onClose(conn: Connection): void {
    const c = conn.context as Client | undefined;
    this.core.clients.delete(conn.id);
    if (c === undefined) return;
    this.core.ending.delete(c);
    this.core.authenticating.delete(c);
    this.core.enhancedAuth.delete(c);
    this.core.passwordLogins.delete(c);
    detach(this.core, c, true);
  }

  /** The socket took everything: send what queued up behind backpressure. */
  onDrain(conn: Connection): void {
    const c = conn.context as Client | undefined;
    if (c !== undefined && c.state === ClientState.Connected && c.session!.link === c) c.session!.drain();
  }

  /** No CONNECT within config.connectTimeoutMs. */
  connectTimeout(c: Client): void {
    c.state = ClientState.Closed;
    this.core.authenticating.delete(c);
    this.core.enhancedAuth.delete(c);
    this.core.clients.delete(c.conn.id);
    c.conn.destroy();
  }
}
