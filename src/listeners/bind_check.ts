/**
 * Start-up check that the broker's addresses can be bound, and listen errors in words. The CLI
 * probes before its warm-up (which takes a second or more) so that a port already in use is
 * reported at once, not after the wait; the real listen's error is worded the same way.
 */
import net from "node:net";

/** The OS reason for the listen errors an operator meets, by errno code (both runtimes set `code`). */
const REASONS: Record<string, string> = {
  EADDRINUSE: "address already in use",
  EACCES: "permission denied (ports below 1024 need privileges)",
  EPERM: "operation not permitted",
  EADDRNOTAVAIL: "address not available on this machine",
  EINVAL: "invalid address for this machine",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed (temporary)",
};

/** An address that cannot be bound; `message` says which and why. */
export class ListenError extends Error {
  constructor(readonly host: string, readonly port: number, readonly code: string, reason: string) {
    super(`cannot listen on ${host.includes(":") ? `[${host}]` : host}:${port}: ${reason}${code ? ` (${code})` : ""}`);
    this.name = "ListenError";
  }
}

/** A ListenError for an error thrown by a listen on host:port (Bun, Deno or node:net). */
export function listenError(host: string, port: number, err: unknown): ListenError {
  if (err instanceof ListenError) return err;
  const code = String((err as { code?: unknown })?.code ?? "");
  const reason = REASONS[code] ?? ((err as Error)?.message || String(err));
  return new ListenError(host, port, code, reason);
}

/** Binds host:port with node:net and closes it again; rejects with a ListenError. */
function probe(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (err) => reject(listenError(host, port, err)));
    // exclusive: never share the port with another process's listener (cluster or SO_REUSEPORT).
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

/**
 * Resolves if every address can be bound now (each is bound and released at once; port 0 needs no
 * check). Rejects with a ListenError for the first that cannot.
 */
export async function checkCanListen(addresses: readonly { host: string; port: number }[]): Promise<void> {
  for (const { host, port } of addresses) if (port !== 0) await probe(host, port);
}
