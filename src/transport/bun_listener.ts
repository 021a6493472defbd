/**
 * A Bun listening socket as a Listener: close (stop accepting, end live connections gracefully)
 * and, for mqtts, a certificate reload by re-binding the port (Bun.listen cannot swap its TLS context).
 */
import type { Listener, TlsMaterial } from "./types.ts";
import type { Closable, ConnectionRegistry } from "./registry.ts";

/** The subset of Bun's server we use. */
export interface BunServer {
  readonly port: number;
  stop(closeActive?: boolean): void;
}

/** The Listener over `first` (and its replacements after TLS reloads); `registry` holds its connections. */
export function makeListener(
  host: string, first: BunServer, registry: ConnectionRegistry<Closable>,
  reload: { tls: TlsMaterial; start: (tls: TlsMaterial, port: number) => BunServer } | undefined,
): Listener {
  let server = first;
  /** Servers replaced by a TLS reload: stopped listening, their connections still live here. */
  const retired: BunServer[] = [];
  let closing: Promise<void> | null = null;
  const listener: Listener = {
    host,
    port: first.port,
    close(): Promise<void> {
      closing ??= (async () => {
        server.stop(false); // stop accepting; live connections are ended gracefully below
        await registry.closeAll();
        server.stop(true);
        for (const r of retired) r.stop(true);
      })();
      return closing;
    },
  };
  if (reload !== undefined) {
    // Bun.listen cannot swap its TLS context, so a reload rebinds the port with the new one:
    // stop(false) only closes the listening socket, connections keep their handlers and context.
    listener.reloadTls = (tls: TlsMaterial): Promise<void> => {
      if (closing !== null) return Promise.resolve();
      server.stop(false);
      retired.push(server);
      try {
        server = reload.start(tls, first.port);
        reload.tls = tls;
      } catch (err) {
        server = reload.start(reload.tls, first.port); // keep serving with the old material
        return Promise.reject(err);
      }
      return Promise.resolve();
    };
  }
  return listener;
}
