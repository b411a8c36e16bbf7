// Tollgate console: confirmations, focus after a test invoke, live metric
// rates. Everything works without it except the rates.
"use strict";
document.addEventListener("submit", (e) => {
  const msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) e.preventDefault();
});
document.addEventListener("DOMContentLoaded", () => {
  const result = document.getElementById("result-h");
  if (result) result.focus();
  const table = document.getElementById("metrics");
  if (table) pollMetrics(table);
});

function pollMetrics(table) {
  const src = table.getAttribute("data-source");
  const status = document.getElementById("metrics-status");
  let last = null;
  const samples = [];
  const fmt = (n) => (Math.round(n * 100) / 100).toString();
  async function tick() {
    try {
      const res = await fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const data = await res.json();
      const now = performance.now();
      const body = table.tBodies[0];
      const seen = new Set();
      for (const r of data.rows) {
        seen.add(r.key);
        let tr = body.querySelector('tr[data-key="' + CSS.escape(r.key) + '"]');
        if (!tr) {
          body.querySelector("tr.empty")?.remove();
          tr = document.createElement("tr");
          tr.dataset.key = r.key;
          for (const f of ["api", "stage", "method", "resource", "count", "rate", "4xx", "5xx", "erate", "p50", "p90", "p99"]) {
            const td = document.createElement("td");
            td.dataset.f = f;
            if (f === "resource") td.className = "path";
            td.textContent = r[f] ?? "-";
            tr.appendChild(td);
          }
          body.appendChild(tr);
        }
        const set = (f, v) => { const td = tr.querySelector('[data-f="' + f + '"]'); if (td) td.textContent = v; };
        if (last && last.rows[r.key]) {
          const dt = (now - last.at) / 1000;
          const p = last.rows[r.key];
          set("rate", fmt((r.count - p.count) / dt));
          set("erate", fmt((r["4xx"] + r["5xx"] - p["4xx"] - p["5xx"]) / dt));
        }
        set("count", r.count); set("4xx", r["4xx"]); set("5xx", r["5xx"]);
        set("p50", r.p50); set("p90", r.p90); set("p99", r.p99);
      }
      if (last) {
        const dt = (now - last.at) / 1000;
        let req = 0, errs = 0;
        for (const r of data.rows) {
          const p = last.rows[r.key] || { count: 0, "4xx": 0, "5xx": 0 };
          req += (r.count - p.count) / dt;
          errs += (r["4xx"] + r["5xx"] - p["4xx"] - p["5xx"]) / dt;
        }
        samples.push([req, errs]);
        if (samples.length > 60) samples.shift();
        drawRates(samples);
      }
      last = { at: now, rows: Object.fromEntries(data.rows.map((r) => [r.key, r])) };
      if (status) status.textContent = "(updated " + new Date().toLocaleTimeString() + ")";
    } catch (err) {
      if (status) status.textContent = "(refresh failed: " + err.message + ")";
    }
    setTimeout(tick, 2000);
  }
  tick();
}

// drawRates plots the total request and error rates (one point a poll).
function drawRates(samples) {
  const svg = document.getElementById("rate-chart");
  if (!svg) return;
  const w = 600, h = 120, top = 16;
  const max = Math.max(1, ...samples.map(([r, e]) => Math.max(r, e)));
  const pts = (i) => samples.map((p, j) => {
    const x = w - (samples.length - 1 - j) * (w / 59);
    const y = h - 2 - (p[i] / max) * (h - top - 2);
    return x.toFixed(1) + "," + y.toFixed(1);
  }).join(" ");
  svg.querySelector("polyline.req").setAttribute("points", pts(0));
  svg.querySelector("polyline.err").setAttribute("points", pts(1));
  document.getElementById("rate-max").textContent = "max " + (Math.round(max * 100) / 100) + "/s";
  const [r, e] = samples[samples.length - 1];
  document.getElementById("rate-now").textContent = "now " + (Math.round(r * 100) / 100) + " requests/s, " + (Math.round(e * 100) / 100) + " errors/s";
}
