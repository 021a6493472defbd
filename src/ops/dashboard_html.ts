/**
 * The live dashboard: one self-contained page (inline CSS and script, no external asset, no build
 * step) served by the operations handler. It loads /api/v1/overview once, then follows
 * /api/v1/events (Server-Sent Events, one overview a second) and searches /api/v1/clients. A
 * `?token=` in the page's address is passed on to those requests.
 *
 * Kept as a string module rather than a file read at run time, so it ships inside any bundle.
 * The script avoids template literals (this file is one).
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vireo dashboard</title>
<style>
  :root { --bg: #f6f7f9; --card: #fff; --ink: #1d2430; --muted: #6b7482; --in: #2f7de1; --out: #e0832f; --bad: #c8412f; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--ink); }
  header { display: flex; align-items: baseline; gap: 1em; padding: 12px 20px; background: #1d2430; color: #fff; }
  header h1 { margin: 0; font-size: 18px; }
  header .muted { color: #aab3c0; }
  #status { margin-left: auto; font-size: 12px; }
  #status.live::before { content: "● "; color: #4caf50; }
  #status.down::before { content: "● "; color: var(--bad); }
  main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); }
  .cards { grid-column: 1 / -1; display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); }
  .card, section { background: var(--card); border-radius: 6px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .card .v { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
  .card .k { color: var(--muted); font-size: 12px; }
  section h2 { margin: 0 0 8px; font-size: 14px; }
  section.wide { grid-column: 1 / -1; }
  canvas { width: 100%; height: 220px; display: block; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eceef1; }
  td.n, th.n { text-align: right; }
  .legend span { margin-right: 1em; font-size: 12px; }
  .legend .in { color: var(--in); } .legend .out { color: var(--out); }
  .empty { color: var(--muted); font-style: italic; }
  input[type=search] { width: 100%; padding: 6px 8px; border: 1px solid #ccd2da; border-radius: 4px; margin-bottom: 8px; }
  .bar { display: inline-block; height: 8px; background: var(--bad); border-radius: 2px; vertical-align: middle; }
</style>
</head>
<body>
<header><h1>Vireo</h1><span class="muted" id="uptime">connecting…</span><span id="status" class="down">offline</span></header>
<main>
  <div class="cards">
    <div class="card"><div class="v" id="clients">–</div><div class="k">connected clients</div></div>
    <div class="card"><div class="v" id="disconnected">–</div><div class="k">offline sessions</div></div>
    <div class="card"><div class="v" id="rate-in">–</div><div class="k">msgs in / s</div></div>
    <div class="card"><div class="v" id="rate-out">–</div><div class="k">msgs out / s</div></div>
    <div class="card"><div class="v" id="retained">–</div><div class="k">retained messages</div></div>
    <div class="card"><div class="v" id="subscriptions">–</div><div class="k">subscriptions</div></div>
    <div class="card"><div class="v" id="queued">–</div><div class="k">queued messages</div></div>
    <div class="card"><div class="v" id="dropped">–</div><div class="k">dropped (total)</div></div>
  </div>
  <section class="wide">
    <h2>Messages per second <span class="legend"><span class="in">■ in</span><span class="out">■ out</span></span></h2>
    <canvas id="chart" width="1200" height="220"></canvas>
  </section>
  <section><h2>Drops by reason</h2><table><tbody id="drops"></tbody></table></section>
  <section><h2>Busiest topics <span class="muted" style="font-weight:normal">(sampled)</span></h2>
    <table><thead><tr><th>topic</th><th class="n">msgs/s</th></tr></thead><tbody id="topics"></tbody></table></section>
  <section><h2>Deepest queues</h2>
    <table><thead><tr><th>client</th><th class="n">queued</th><th class="n">in flight</th><th class="n">owed</th></tr></thead><tbody id="queues"></tbody></table></section>
  <section class="wide"><h2>Clients</h2>
    <input type="search" id="search" placeholder="search client ids…" autocomplete="off">
    <table><thead><tr><th>client id</th><th>state</th><th>protocol</th><th>address</th><th class="n">subs</th><th class="n">queued</th></tr></thead>
    <tbody id="search-results"></tbody></table><div class="muted" id="search-total"></div></section>
</main>
<script>
"use strict";
var token = new URLSearchParams(location.search).get("token");
var points = [];
var HISTORY = 300;

function api(path) {
  var headers = token ? { authorization: "Bearer " + token } : {};
  return fetch(path, { headers: headers }).then(function (r) { return r.json(); });
}
function el(id) { return document.getElementById(id); }
function fmt(n) { return n >= 1e6 ? (n / 1e6).toFixed(1) + "M" : n >= 1e4 ? (n / 1e3).toFixed(1) + "k" : String(n); }
function cell(text, cls) { var td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; }
function fill(tbody, rows, empty, cols) {
  tbody.textContent = "";
  if (rows.length === 0) {
    var tr = document.createElement("tr"), td = cell(empty, "empty"); td.colSpan = cols; tr.appendChild(td); tbody.appendChild(tr); return;
  }
  rows.forEach(function (cells) { var tr = document.createElement("tr"); cells.forEach(function (c) { tr.appendChild(c); }); tbody.appendChild(tr); });
}
function duration(s) {
  var d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return "up " + (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
}

function render(o) {
  el("uptime").textContent = duration(o.uptimeSeconds);
  el("clients").textContent = fmt(o.clients);
  el("disconnected").textContent = fmt(o.disconnected);
  el("rate-in").textContent = fmt(o.rate.in);
  el("rate-out").textContent = fmt(o.rate.out);
  el("retained").textContent = fmt(o.retained);
  el("subscriptions").textContent = fmt(o.subscriptions);
  el("queued").textContent = fmt(o.queued + o.inflight);
  var reasons = Object.keys(o.drops), total = 0, max = 1;
  reasons.forEach(function (r) { total += o.drops[r]; max = Math.max(max, o.drops[r]); });
  el("dropped").textContent = fmt(total);
  fill(el("drops"), reasons.map(function (r) {
    var bar = cell(""), span = document.createElement("span");
    span.className = "bar"; span.style.width = Math.round(120 * o.drops[r] / max) + "px"; bar.appendChild(span);
    var name = cell(r.replace("_", " ")); name.dataset.reason = r;
    return [name, cell(String(o.drops[r]), "n"), bar];
  }), "", 3);
  fill(el("topics"), o.busiestTopics.map(function (t) { return [cell(t.topic), cell(String(t.rate), "n")]; }), "no traffic sampled yet", 2);
  fill(el("queues"), o.deepestQueues.map(function (q) {
    return [cell(q.clientId + (q.connected ? "" : " (offline)")), cell(String(q.queued), "n"), cell(String(q.inflight), "n"), cell(String(q.backlog), "n")];
  }), "every queue is empty", 4);
}

function draw() {
  var c = el("chart"), ctx = c.getContext("2d"), w = c.width, h = c.height, pad = 30;
  ctx.clearRect(0, 0, w, h);
  var max = 1;
  points.forEach(function (p) { max = Math.max(max, p.in, p.out); });
  ctx.fillStyle = "#6b7482"; ctx.font = "12px system-ui";
  ctx.fillText(fmt(max) + "/s", 2, 12); ctx.fillText("0", 2, h - pad + 4);
  ctx.fillText("-5 min", pad, h - 8); ctx.fillText("now", w - 30, h - 8);
  ctx.strokeStyle = "#eceef1"; ctx.beginPath(); ctx.moveTo(pad, h - pad); ctx.lineTo(w, h - pad); ctx.stroke();
  [["in", "#2f7de1"], ["out", "#e0832f"]].forEach(function (s) {
    // "out" dashed: with one subscriber per message the two lines coincide.
    ctx.strokeStyle = s[1]; ctx.lineWidth = 2; ctx.setLineDash(s[0] === "out" ? [6, 4] : []); ctx.beginPath();
    points.forEach(function (p, i) {
      var x = pad + (w - pad) * (HISTORY - points.length + i) / (HISTORY - 1), y = (h - pad) - (h - pad - 16) * p[s[0]] / max;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  });
  ctx.setLineDash([]);
}

function push(point) {
  var last = points[points.length - 1];
  if (last && last.t === point.t) return;
  points.push(point);
  while (points.length > HISTORY) points.shift();
  draw();
}

var query = "", searchTimer = 0;
function search() {
  var q = el("search").value;
  query = q;
  api("/api/v1/clients?limit=50" + (q ? "&search=" + encodeURIComponent(q) : "")).then(function (r) {
    if (query !== q || !r.items) return;
    fill(el("search-results"), r.items.map(function (c) {
      return [cell(c.clientId), cell(c.connected ? "connected" : "offline"), cell(c.protocol || ""), cell(c.address || ""), cell(String(c.subscriptions), "n"), cell(String(c.queued), "n")];
    }), "no client matches", 6);
    el("search-total").textContent = r.total + " match" + (r.total === 1 ? "" : "es");
  });
}
el("search").addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(search, 150); });

function connect() {
  var es = new EventSource("/api/v1/events" + (token ? "?token=" + encodeURIComponent(token) : ""));
  es.addEventListener("history", function (e) { points = JSON.parse(e.data).slice(-HISTORY); draw(); });
  es.addEventListener("overview", function (e) {
    var o = JSON.parse(e.data);
    el("status").className = "live"; el("status").textContent = "live";
    render(o); push(o.rate);
  });
  es.onerror = function () { el("status").className = "down"; el("status").textContent = "reconnecting"; };
}
connect();
search();
setInterval(search, 5000);
</script>
</body>
</html>
`;
