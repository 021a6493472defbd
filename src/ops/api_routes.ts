/**
 * The admin API's JSON routes under /api/v1/ (see http_api.ts for the table): parameters checked
 * (a bad one is a 400 naming it), answers built from clients_view.ts.
 */
import type { BrokerCore } from "../broker/core.ts";
import { clientDetail, deleteRetained, disconnectClient, listClients, listRetained, subscriptionsOf } from "./clients_view.ts";
import { enumParam, HttpError, intParam, json } from "./http_errors.ts";

/** Largest page a list returns. */
const MAX_PAGE = 1000;

/** GET /api/v1/clients */
export function clients(core: BrokerCore, q: URLSearchParams): Response {
  const offset = intParam(q, "offset", 0, 0, 1e9), limit = intParam(q, "limit", 100, 1, MAX_PAGE);
  const filter = {
    state: enumParam(q, "state", ["connected", "disconnected"] as const),
    search: q.get("search") ?? undefined,
    protocol: enumParam(q, "protocol", ["3.1", "3.1.1", "5.0"] as const),
  };
  const { total, items } = listClients(core, filter, offset, limit);
  return json({ total, offset, limit, items });
}

/** GET /api/v1/subscriptions */
export function subscriptions(core: BrokerCore, q: URLSearchParams): Response {
  const offset = intParam(q, "offset", 0, 0, 1e9), limit = intParam(q, "limit", 100, 1, MAX_PAGE);
  const search = q.get("search");
  const items: unknown[] = [];
  let total = 0;
  for (const s of core.sessions.values()) {
    if (s.subscriptionCount === 0) continue;
    for (const sub of subscriptionsOf(s)) {
      if (search !== null && !sub.filter.includes(search)) continue;
      if (total >= offset && items.length < limit) items.push({ clientId: s.clientId, ...sub });
      total++;
    }
  }
  return json({ total, offset, limit, items });
}

/** GET /api/v1/retained */
export function retained(core: BrokerCore, q: URLSearchParams): Response {
  const filter = q.get("filter") ?? "#";
  const limit = intParam(q, "limit", 100, 1, MAX_PAGE);
  const r = listRetained(core, filter, limit);
  if (r === null) throw new HttpError(400, `invalid topic filter ${JSON.stringify(filter)}`);
  return json({ filter, total: r.total, limit, items: r.items });
}

/** DELETE /api/v1/retained */
export function removeRetained(core: BrokerCore, q: URLSearchParams): Response {
  const topic = q.get("topic");
  if (topic === null) throw new HttpError(400, `query parameter "topic" is required`);
  const r = deleteRetained(core, topic);
  if (r === "invalid") throw new HttpError(400, `invalid topic name ${JSON.stringify(topic)}`);
  if (r === "absent") throw new HttpError(404, `no retained message on ${JSON.stringify(topic)}`);
  return json({ deleted: topic });
}

/** /api/v1/clients/{id} (GET, DELETE) and /api/v1/clients/{id}/disconnect (POST); `rest` follows /clients/. */
export function client(core: BrokerCore, req: Request, rest: string): Response {
  const slash = rest.indexOf("/");
  const action = slash < 0 ? "" : rest.slice(slash + 1);
  let id: string;
  try {
    id = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
  } catch {
    throw new HttpError(400, "client id is not valid percent-encoding");
  }
  if (id === "") throw new HttpError(404, "no such route");
  if (action === "disconnect") {
    if (req.method !== "POST") throw new HttpError(405, "use POST", { allow: "POST" });
    if (!disconnectClient(core, id, false)) throw new HttpError(404, `no client ${JSON.stringify(id)}`);
    return json({ disconnected: id });
  }
  if (action !== "") throw new HttpError(404, "no such route");
  if (req.method === "GET") {
    const d = clientDetail(core, id);
    if (d === null) throw new HttpError(404, `no client ${JSON.stringify(id)}`);
    return json(d);
  }
  if (req.method === "DELETE") {
    if (!disconnectClient(core, id, true)) throw new HttpError(404, `no client ${JSON.stringify(id)}`);
    return json({ removed: id });
  }
  throw new HttpError(405, "use GET or DELETE", { allow: "GET, DELETE" });
}
