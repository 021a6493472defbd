/**
 * Regenerates docs/dashboard.png (the README's dashboard picture): a broker with the ops handler,
 * a minute of varying MQTT traffic from a few clients, then a headless Chromium screenshot.
 *   node_modules/.bin/bun run scripts/dashboard_screenshot.ts [seconds]
 * Needs Debian's chromium (/usr/bin/chromium) and playwright-core (a dev dependency).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { chromium } from "playwright-core";
import { Broker } from "../src/index.ts";
import { createOpsHandler, type OpsHandler } from "../src/ops/http_api.ts";

const seconds = Number(process.argv[2] ?? 60);
let ops: OpsHandler | null = null;
const broker = new Broker({
  log: () => {}, maxQueuedMessages: 500, httpHandler: (req) => ops!(req),
  listeners: [{ host: "127.0.0.1", port: 0, protocol: "mqtt" }, { host: "127.0.0.1", port: 0, protocol: "http" }],
});
ops = createOpsHandler(broker);
const { port, listeners } = await broker.listen();
const server = listeners[1];
const connect = (clientId: string, clean = true) =>
  new Promise<mqtt.MqttClient>((r) => { const c = mqtt.connect({ host: "127.0.0.1", port, clientId, clean, reconnectPeriod: 0 }); c.on("connect", () => r(c)); });

const dash = await connect("dashboard-sub");
await dash.subscribeAsync("fleet/#", { qos: 0 });
for (const id of ["truck-7", "truck-9"]) { // persistent sessions gone offline: their queues fill
  const c = await connect(id, false);
  await c.subscribeAsync(`fleet/${id}/cmd`, { qos: 1 });
  await c.endAsync();
}
const pubs = await Promise.all(["truck-1", "truck-2", "truck-3", "gateway-eu"].map((id) => connect(id)));
await pubs[3].publishAsync("fleet/gateway-eu/status", "online", { retain: true, qos: 1 });
const t0 = Date.now();
const timer = setInterval(() => {
  const t = (Date.now() - t0) / 1000;
  const rate = 40 + 30 * Math.sin(t / 6); // messages per 20 ms tick, varying
  for (let i = 0; i < rate; i++) pubs[i % 3].publish(`fleet/truck-${(i % 3) + 1}/engine/rpm`, String(1000 + i), { qos: 0 });
  if (Math.random() < 0.3) pubs[3].publish("fleet/truck-7/cmd", "reboot", { qos: 1 });
  if (Math.random() < 0.1) pubs[3].publish("fleet/truck-9/cmd", "ping", { qos: 1 });
}, 20);

const profile = mkdtempSync(join(tmpdir(), "vireo-chromium-"));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium", headless: true, viewport: { width: 1280, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await ctx.newPage();
await page.goto(`http://127.0.0.1:${server.port}/`);
await new Promise((r) => setTimeout(r, seconds * 1000));
await page.fill("#search", "truck");
await new Promise((r) => setTimeout(r, 1500));
await page.screenshot({ path: "docs/dashboard.png", fullPage: true });
clearInterval(timer);
await ctx.close();
rmSync(profile, { recursive: true, force: true });
for (const c of [dash, ...pubs]) c.end(true);
ops.close();
await broker.close();
console.log("docs/dashboard.png written");
