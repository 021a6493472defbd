// The dashboard in a real browser: Debian's chromium, headless, driven by playwright-core. The
// numbers on the page follow real MQTT traffic (clients, msgs/s, busiest topics, drops, deepest
// queues, search), live over Server-Sent Events without a reload. Set VIREO_DASHBOARD_SCREENSHOT
// to a path to save a screenshot (the README's is docs/dashboard.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { sleep, waitFor } from "../helpers/broker.ts";
import { subscribe } from "../helpers/mqtt.ts";
import { withOpsBroker } from "./ops_world.ts";

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];

test("dashboard: live numbers follow real traffic in headless Chromium (token in the page address)", { timeout: 60_000 }, () =>
  withOpsBroker({ maxQueuedMessages: 50 }, { token: "t0k" }, async ({ pool, h, base }) => {
    const profile = mkdtempSync(join(tmpdir(), "vireo-chromium-"));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    let timer: ReturnType<typeof setInterval> | undefined;
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/?token=t0k`);
      await page.waitForFunction(() => document.getElementById("status")?.textContent === "live", null, { timeout: 10_000 });
      const num = async (id: string) => Number((await page.textContent(`#${id}`))!.replace(/[^\d.]/g, ""));
      assert.equal(await num("clients"), 0);

      // Traffic: a subscriber, a persistent session gone offline, a publisher at ~400 msgs/s.
      const sub = await pool.connect({ clientId: "sensor-sub" });
      await subscribe(sub, "fleet/#", { qos: 0 });
      const sleeper = await pool.connect({ clientId: "sleeper", clean: false });
      await subscribe(sleeper, "fleet/#", { qos: 1 });
      await new Promise<void>((r) => sleeper.end(false, {}, () => r()));
      const pub = await pool.connect({ clientId: "sensor-pub" });
      await pub.publishAsync("fleet/status", "up", { qos: 1, retain: true });
      for (let i = 0; i < 60; i++) pub.publish("fleet/alerts", "a", { qos: 1 }); // with the retained one: 50 queue, 11 dropped
      timer = setInterval(() => {
        for (let i = 0; i < 4; i++) pub.publish("fleet/engine/rpm", "1234", { qos: 0 });
      }, 10);
      await page.waitForFunction(() => Number(document.getElementById("rate-in")!.textContent!.replace(/[^\d.]/g, "")) >= 100, null, { timeout: 10_000 });
      await page.waitForFunction(() => document.getElementById("topics")!.textContent!.includes("fleet/engine/rpm"), null, { timeout: 10_000 });
      assert.equal(await num("clients"), 2);
      assert.equal(await num("disconnected"), 1);
      assert.equal(await num("retained"), 1);
      assert.equal(await num("subscriptions"), 2);
      assert.ok(await num("rate-out") >= 100, "the subscriber's deliveries");
      // The drop counters reach the page on their own refresh: wait for the offline ones (a
      // publisher at ~400 msgs/s passes 50 within a fraction of a second) rather than read them once.
      await page.waitForFunction(() => [...document.querySelectorAll("#drops tr")].some((r) =>
        (r.children[0] as HTMLElement).dataset.reason === "offline" && Number(r.children[1].textContent) >= 50), null, { timeout: 10_000 });
      const drops = await page.$$eval("#drops tr", (rows) => Object.fromEntries(rows.map((r) => [(r.children[0] as HTMLElement).dataset.reason, Number(r.children[1].textContent)])));
      assert.ok(drops.offline >= 50, `QoS 0 to the offline session: ${JSON.stringify(drops)}`);
      assert.equal(drops.queue_full, 11);
      assert.match((await page.textContent("#queues"))!, /sleeper \(offline\)\s*5\d/);

      // Search narrows the client list.
      await page.fill("#search", "sensor");
      await page.waitForFunction(() => document.getElementById("search-total")!.textContent === "2 matches", null, { timeout: 5000 });
      const ids = await page.$$eval("#search-results tr", (rows) => rows.map((r) => r.children[0].textContent));
      assert.deepEqual(ids.sort(), ["sensor-pub", "sensor-sub"]);
      await page.fill("#search", "nobody");
      await page.waitForFunction(() => document.getElementById("search-total")!.textContent === "0 matches", null, { timeout: 5000 });

      if (process.env.VIREO_DASHBOARD_SCREENSHOT) {
        await page.fill("#search", "");
        await sleep(1500);
        await page.screenshot({ path: process.env.VIREO_DASHBOARD_SCREENSHOT, fullPage: true });
      }
      // Traffic stops: the rate falls back to 0, still without a reload.
      clearInterval(timer);
      timer = undefined;
      await page.waitForFunction(() => document.getElementById("rate-in")!.textContent === "0", null, { timeout: 10_000 });
      await sub.endAsync();
      await page.waitForFunction(() => document.getElementById("clients")!.textContent === "1", null, { timeout: 5000 });
      assert.equal(h.operations.subscriberCount, 1);
      await page.close();
      await waitFor(() => h.operations.subscriberCount === 0, "the closed page's event stream to end", 5000);
    } finally {
      if (timer !== undefined) clearInterval(timer);
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }));
