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
      last = { at: now, rows: Object.fromEntries(data.rows.map((r) => [r.key, r])) };
      if (status) status.textContent = "(updated " + new Date().toLocaleTimeString() + ")";
    } catch (err) {
      if (status) status.textContent = "(refresh failed: " + err.message + ")";
    }
    setTimeout(tick, 2000);
  }
  tick();
}
