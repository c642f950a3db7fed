// The Storefront dashboard: reads /dashboard/stream (one JSON snapshot per second), keeps the last 5 minutes
// client-side and redraws with every snapshot. fetch() + a stream reader rather than EventSource, because EventSource
// cannot send the Authorization header the stream needs outside Development.
"use strict";

(() => {
  const HISTORY = 300; // 5 minutes of one-per-second snapshots
  const TOKEN_KEY = "storefront.dashboard.token";
  const BACKOFF_MIN_MS = 1000;
  const BACKOFF_MAX_MS = 30000;
  const CHART_HEIGHT = 120;
  const FIXED_RANGES = { "chart-cache": [0, 100] }; // a percentage
  const PALETTE = ["#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#0e7490", "#be185d", "#4d7c0f"];

  const $ = (id) => document.getElementById(id);
  const snapshots = [];
  const charts = new Map(); // element id -> { plot, key }
  let latest = null;
  let backoffMs = BACKOFF_MIN_MS;
  let resizePending = false;
  let redrawPending = false;

  // ------------------------------------------------------------------ token and views

  let memoryToken = null; // when sessionStorage is unavailable
  const getToken = () => {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
  };
  const setToken = (token) => {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
    } catch { /* storage disabled: the token lives until the page closes, which is all sessionStorage gives anyway */ }
    memoryToken = token;
  };
  const token = () => getToken() || memoryToken;

  function show(view) {
    $("login").hidden = view !== "login";
    $("forbidden").hidden = view !== "forbidden";
    $("charts").hidden = view !== "charts";
    if (view === "login") $("username").focus();
  }

  function setStatus(text, state) {
    const status = $("status");
    status.textContent = text;
    status.className = state || "";
  }

  // ------------------------------------------------------------------ the stream

  async function connect() {
    const headers = { Accept: "text/event-stream" };
    const bearer = token();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let response;
    try {
      response = await fetch("/dashboard/stream", { headers, cache: "no-store" });
    } catch {
      return reconnect();
    }
    if (response.status === 401) {
      setToken(null);
      setStatus("sign in to see the dashboard", "down");
      return show("login");
    }
    if (response.status === 403) {
      setStatus("not an admin", "down");
      return show("forbidden");
    }
    if (!response.ok || !response.body) return reconnect();

    try {
      await readEvents(response.body, (event, data) => {
        if (event === "snapshot") receive(data);
      });
    } catch { /* a dropped connection: reconnect below */ }
    reconnect();
  }

  function reconnect() {
    const wait = backoffMs;
    backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
    setStatus(`disconnected — retrying in ${Math.round(wait / 1000)} s`, "down");
    setTimeout(connect, wait);
  }

  // Server-sent events, parsed by hand: `event:` and `data:` lines, a blank line ends an event, `:` lines are comments.
  async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let event = "message";
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        let line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.endsWith("\r")) line = line.slice(0, -1);
        if (line === "") {
          if (data.length > 0) onEvent(event, data.join("\n"));
          event = "message";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let text = colon < 0 ? "" : line.slice(colon + 1);
        if (text.startsWith(" ")) text = text.slice(1);
        if (field === "event") event = text;
        else if (field === "data") data.push(text);
      }
    }
  }

  function receive(json) {
    let snapshot;
    try { snapshot = JSON.parse(json); } catch { return; } // one bad line must not stop the stream
    backoffMs = BACKOFF_MIN_MS;
    snapshot.t = Date.parse(snapshot.time) / 1000 || Date.now() / 1000;
    snapshots.push(snapshot);
    if (snapshots.length > HISTORY) snapshots.splice(0, snapshots.length - HISTORY);
    latest = snapshot;
    setStatus(`live — ${new Date(snapshot.t * 1000).toLocaleTimeString()}`, "live");
    show("charts");
    updateNow(snapshot);
    scheduleRedraw();
  }

  // ------------------------------------------------------------------ current values (text)

  const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const list = (v) => (Array.isArray(v) ? v : []);
  const obj = (v) => (v && typeof v === "object" ? v : {});
  const fmt = (v, digits = 1) => num(v).toFixed(digits);

  function updateNow(s) {
    const routes = list(s.routes);
    $("now-rps").textContent = `${fmt(routes.reduce((sum, r) => sum + num(r.rps), 0))} total`;
    $("now-inflight").textContent = String(num(s.in_flight));
    const pool = obj(s.thread_pool);
    $("now-pool").textContent = `lag ${fmt(pool.lag_ms)} ms · queue ${num(pool.queue_length)} · ${num(pool.threads)} threads`;
    const cache = obj(s.cache);
    $("now-cache").textContent = num(cache.hits) + num(cache.misses) > 0 ? `${fmt(num(cache.hit_ratio) * 100)} %` : "–";
    const jobs = obj(s.jobs);
    $("now-jobs").textContent = `waiting ${num(jobs.queued)} · running ${num(jobs.running)} · failed ${num(jobs.failed)} · dead ${num(jobs.dead)}`;
    $("now-ws").textContent = String(num(obj(s.websockets).open));
    updateUpstreamTable(list(s.upstreams));
    updateBlocking(obj(s.blocking));
    updateLoadButton(s);
  }

  function updateUpstreamTable(upstreams) {
    const body = $("upstreams").tBodies[0];
    body.replaceChildren(...upstreams.map((u) => {
      const row = document.createElement("tr");
      const circuit = String(u.circuit || "closed").replace("_", "-");
      const cells = [u.source, num(u.calls), num(u.ok), num(u.timeout), num(u.error), num(u.rejected), num(u.open), circuit];
      cells.forEach((value, i) => {
        const cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) cell.scope = "row";
        cell.textContent = String(value);
        if (i === cells.length - 1) cell.className = `circuit-${circuit}`;
        row.append(cell);
      });
      return row;
    }));
  }

  function updateBlocking(blocking) {
    const banner = $("blocking");
    banner.hidden = blocking.active !== true;
    if (!banner.hidden) {
      $("blocking-lag").textContent = fmt(blocking.lag_ms, 0);
      const routes = list(blocking.routes);
      $("blocking-routes").textContent = routes.length > 0 ? routes.join(", ") : "none named";
    }
  }

  function updateLoadButton(s) {
    const button = $("load");
    button.hidden = s.development !== true;
    const running = obj(s.load).running === true;
    button.disabled = running;
    button.textContent = running ? "Load running…" : "Load";
  }

  async function startLoad() {
    const button = $("load");
    button.disabled = true;
    const headers = {};
    const bearer = token();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    try {
      const response = await fetch("/dashboard/load", { method: "POST", headers });
      // 409: a burst already runs, which the next snapshot shows; anything else re-enables the button.
      if (response.status !== 202 && response.status !== 409) button.disabled = false;
    } catch {
      button.disabled = false;
    }
  }

  // ------------------------------------------------------------------ charts

  // Each chart: series = [{ label, scale?, value(snapshot) }], built from the snapshots' dynamic names.
  function chartSpecs() {
    const names = (pick, key) => [...new Set(snapshots.flatMap((s) => list(pick(s)).map((x) => String(x[key]))))].sort();
    const find = (pick, key, name) => (s) => list(pick(s)).find((x) => String(x[key]) === name);
    const field = (pick, key, name, prop) => {
      const get = find(pick, key, name);
      return (s) => { const x = get(s); return x ? num(x[prop]) : null; };
    };
    const groups = names((s) => s.routes, "group");
    const sources = names((s) => s.upstreams, "source");
    const runners = names((s) => s.cpu, "runner");
    const routeField = (g, p) => field((s) => s.routes, "group", g, p);
    return {
      "chart-rps": groups.map((g) => ({ label: g, value: routeField(g, "rps") })),
      "chart-latency": groups.flatMap((g) => [
        { label: `${g} p50`, value: routeField(g, "p50_ms") },
        { label: `${g} p99`, value: routeField(g, "p99_ms"), dash: [6, 4] },
      ]),
      "chart-inflight": [{ label: "in flight", value: (s) => num(s.in_flight) }],
      "chart-pool": [
        { label: "lag ms", value: (s) => num(obj(s.thread_pool).lag_ms) },
        { label: "queue", scale: "count", value: (s) => num(obj(s.thread_pool).queue_length) },
      ],
      "chart-upstreams": sources.map((u) => ({ label: u, value: field((s) => s.upstreams, "source", u, "p50_ms") })),
      "chart-cache": [{
        label: "hit %",
        value: (s) => { const c = obj(s.cache); return num(c.hits) + num(c.misses) > 0 ? num(c.hit_ratio) * 100 : null; },
      }],
      "chart-jobs": ["queued", "running", "failed", "dead"].map((k) => ({
        label: k === "queued" ? "waiting" : k, value: (s) => num(obj(s.jobs)[k]),
      })),
      "chart-cpu": runners.flatMap((r) => [
        { label: `${r} queued`, value: field((s) => s.cpu, "runner", r, "queued") },
        { label: `${r} rejected`, value: field((s) => s.cpu, "runner", r, "rejected"), dash: [6, 4] },
      ]),
      "chart-ws": [{ label: "open", value: (s) => num(obj(s.websockets).open) }],
    };
  }

  function chartWidth(element) {
    return Math.max(200, element.clientWidth);
  }

  // The history so far (at least a minute), up to the last 5 minutes: a fresh page is not squeezed against one edge.
  function fiveMinutes(u, min, max) {
    const end = latest ? latest.t : max;
    const first = snapshots.length > 0 ? snapshots[0].t : end;
    return [Math.min(Math.max(end - HISTORY, first), end - 60), end];
  }

  // Counts and rates start at 0 and end at a rounded value above the highest point (at least 1).
  function fromZero(u, min, max) {
    return [0, max > 0 ? uPlot.rangeNum(0, max, 0.1, true)[1] : 1];
  }

  // Bottom, middle and top: a 120 px chart has room for no more, and uPlot's own choice can leave the top unlabelled.
  function threeTicks(u, axisIndex, min, max) {
    return [min, (min + max) / 2, max];
  }

  function makePlot(element, series, fixed) {
    const scales = series.length > 0 ? [...new Set(series.map((s) => s.scale || "y"))] : ["y"];
    return new uPlot({
      width: chartWidth(element),
      height: CHART_HEIGHT,
      legend: { live: false },
      cursor: { show: true, drag: { x: false, y: false } },
      scales: Object.fromEntries([["x", { time: true, range: fiveMinutes }], ...scales.map((k) => [k, { range: fixed || fromZero }])]),
      axes: [
        { stroke: "#4b5563", grid: { stroke: "#e5e7eb" } },
        ...scales.map((k, i) => ({ scale: k, side: i === 0 ? 3 : 1, stroke: "#4b5563", grid: { show: i === 0, stroke: "#e5e7eb" }, size: 55, splits: threeTicks })),
      ],
      series: [{}, ...series.map((s, i) => ({
        label: s.label,
        scale: s.scale || "y",
        stroke: PALETTE[i % PALETTE.length],
        width: 1.5,
        dash: s.dash,
        spanGaps: false,
        points: { show: false },
      }))],
    }, [[], ...series.map(() => [])], element);
  }

  function redraw() {
    if (snapshots.length === 0 || $("charts").hidden) return;
    const times = snapshots.map((s) => s.t);
    for (const [id, series] of Object.entries(chartSpecs())) {
      const element = $(id);
      const key = series.map((s) => s.label).join("|");
      let chart = charts.get(id);
      if (!chart || chart.key !== key) {
        if (chart) chart.plot.destroy();
        chart = { plot: makePlot(element, series, FIXED_RANGES[id]), key };
        charts.set(id, chart);
      }
      chart.plot.setData([times, ...series.map((s) => snapshots.map(s.value))]);
    }
  }

  // Once per snapshot, i.e. every second; in the next frame, so a hidden tab draws nothing and a burst of snapshots
  // after a stall draws once.
  function scheduleRedraw() {
    if (redrawPending) return;
    redrawPending = true;
    requestAnimationFrame(() => {
      redrawPending = false;
      try { redraw(); } catch { /* a bad frame must not stop the next one */ }
    });
  }

  function resize() {
    for (const [id, chart] of charts) chart.plot.setSize({ width: chartWidth($(id)), height: CHART_HEIGHT });
  }

  // ------------------------------------------------------------------ login

  async function signIn(event) {
    event.preventDefault();
    const error = $("login-error");
    error.textContent = "";
    const form = new URLSearchParams({ username: $("username").value, password: $("password").value });
    try {
      const response = await fetch("/token", { method: "POST", body: form });
      if (response.status === 401) { error.textContent = "Incorrect username or password."; return; }
      if (response.status === 429) { error.textContent = "Too many attempts; wait a minute and try again."; return; }
      if (!response.ok) { error.textContent = `Sign-in failed (${response.status}).`; return; }
      const body = await response.json();
      setToken(body.access_token);
      $("password").value = "";
      setStatus("connecting…");
      backoffMs = BACKOFF_MIN_MS;
      connect();
    } catch {
      error.textContent = "Cannot reach the service.";
    }
  }

  function signOut() {
    setToken(null);
    setStatus("sign in to see the dashboard", "down");
    show("login");
  }

  // ------------------------------------------------------------------ start

  function start() {
    if (typeof uPlot !== "function") {
      setStatus("the chart library did not load", "down");
      return;
    }
    $("login").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", signOut);
    $("load").addEventListener("click", startLoad);
    // The grid decides each chart's width (a scrollbar appearing changes it too), so watch the grid, not the window.
    new ResizeObserver(() => {
      if (!resizePending) {
        resizePending = true;
        requestAnimationFrame(() => { resizePending = false; resize(); });
      }
    }).observe($("charts"));
    connect();
  }

  // Exposed for the browser tests and the curious: the newest snapshot as received.
  Object.defineProperty(window, "storefrontDashboard", {
    value: { latest: () => latest, history: () => snapshots.length, snapshots: () => snapshots.slice() },
  });

  start();
})();
