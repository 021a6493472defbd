/**
 * The dashboard's live feed: Server-Sent Events carrying the overview once a second (and the
 * history first, so a new page draws its chart at once). A stream ends when the client goes away
 * (both runtimes cancel the body) or the handler closes. The request's abort signal is not used:
 * Deno's fires once any response completes, which says nothing about this one.
 */
import type { Operations } from "./operations.ts";

/** Open streams of one handler, so close() can end them. */
export type StreamSet = Set<{ close(): void }>;

const utf8 = new TextEncoder();

/** A `text/event-stream` response fed by `ops`. */
export function eventStream(ops: Operations, streams: StreamSet): Response {
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: string, data: unknown) => {
        try {
          controller.enqueue(utf8.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        } catch {
          stop(); // the consumer is gone
        }
      };
      send("history", ops.rates());
      send("overview", ops.overview());
      const unsubscribe = ops.subscribe((o) => send("overview", o));
      const entry = { close: () => stop() };
      stop = () => {
        unsubscribe();
        streams.delete(entry);
        try {
          controller.close();
        } catch { /* already closed */ }
      };
      streams.add(entry);
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
}
