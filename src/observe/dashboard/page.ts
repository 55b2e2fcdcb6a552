// The dashboard page: layout and styles, sized for a laptop screen (1280x800) and up.

export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice dashboard</title>
<link rel="stylesheet" href="/assets/uplot.css">
<style>${CSS}</style>
</head>
<body>
<header>
  <div class="brand">sluice</div>
  <div class="title"><span id="pipeline">pipeline</span><span id="state" class="pill">connecting</span></div>
  <div id="detail" class="muted ellipsis"></div>
  <div id="clock" class="muted"></div>
</header>
<section class="kpis">
  <div class="kpi"><label>Rows in</label><b id="k-in">-</b></div>
  <div class="kpi"><label>Rows out</label><b id="k-out">-</b></div>
  <div class="kpi"><label>Rows/s</label><b id="k-rate">-</b></div>
  <div class="kpi"><label>Batches</label><b id="k-batches">-</b></div>
  <div class="kpi"><label>Last batch</label><b id="k-dur">-</b></div>
  <div class="kpi"><label>Latency</label><b id="k-lat">-</b></div>
  <div class="kpi"><label>Rejected</label><b id="k-rej">-</b></div>
  <div class="kpi"><label>Lag</label><b id="k-lag">-</b></div>
</section>
<main>
  <section class="charts" id="charts">
    <div class="card chart" id="c-rate"><h2>Throughput <small>rows/s</small></h2><div class="plot"></div><p class="empty">waiting for batches</p></div>
    <div class="card chart" id="c-dur"><h2>Batch duration <small>ms</small></h2><div class="plot"></div><p class="empty">waiting for batches</p></div>
    <div class="card chart" id="c-lat"><h2>End-to-end latency <small>s</small></h2><div class="plot"></div><p class="empty">needs <code>processing.watermark.column</code></p></div>
    <div class="card chart" id="c-err"><h2>Errors and dead letters <small>records per batch</small></h2><div class="plot"></div><p class="empty">waiting for batches</p></div>
    <div class="card chart" id="c-lag"><h2>Source lag <small>records or files pending</small></h2><div class="plot"></div><p class="empty">the source reports no lag</p></div>
    <div class="card" id="batches-card"><h2>Recent batches</h2><table id="batches"><thead><tr><th>batch</th><th>time</th><th>in</th><th>out</th><th>rejected</th><th>ms</th></tr></thead><tbody></tbody></table></div>
  </section>
  <aside>
    <div class="card" id="health-card"><h2>Health <span id="ready" class="pill">-</span></h2><ul id="health" class="list"></ul></div>
    <div class="card" id="alerts-card"><h2>Alerts</h2><ul id="alerts" class="list"></ul></div>
    <div class="card" id="schema-card"><h2>Schema <span id="schema-version" class="pill neutral">-</span></h2><div id="schema" class="scroll"></div><div id="schema-versions" class="muted small"></div></div>
    <div class="card" id="validation-card"><h2>Validation and quality</h2><div id="validation" class="scroll"></div></div>
  </aside>
</main>
<script src="/assets/uplot.js"></script>
<script src="/assets/dashboard.js"></script>
</body>
</html>
`;
}

const CSS = `
:root { --bg:#f4f6f9; --card:#fff; --ink:#1c2430; --muted:#6b7686; --line:#e3e8ef; --ok:#1f9d55; --warn:#d97706; --bad:#dc2626; --info:#2563eb; --accent:#0f766e; }
* { box-sizing: border-box; }
html, body { margin:0; background:var(--bg); color:var(--ink); font:13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header { display:flex; align-items:center; gap:16px; padding:10px 18px; background:#10202b; color:#e8eef5; }
header .brand { font-weight:700; letter-spacing:.08em; color:#5eead4; text-transform:uppercase; font-size:12px; }
header .title { display:flex; align-items:center; gap:10px; font-size:16px; font-weight:600; white-space:nowrap; }
header .muted { color:#9fb0c2; }
header #detail { flex:1; min-width:0; }
.ellipsis { overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.pill { display:inline-block; padding:1px 9px; border-radius:999px; font-size:11px; font-weight:600; text-transform:uppercase; letter-spacing:.04em; background:#64748b; color:#fff; vertical-align:middle; }
.pill.ok { background:var(--ok); } .pill.bad { background:var(--bad); } .pill.warn { background:var(--warn); } .pill.info { background:var(--info); } .pill.neutral { background:#e2e8f0; color:#334155; }
.kpis { display:grid; grid-template-columns:repeat(8, minmax(0,1fr)); gap:10px; padding:12px 18px 0; }
.kpi { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:8px 12px; min-width:0; }
.kpi label { display:block; color:var(--muted); font-size:11px; text-transform:uppercase; letter-spacing:.05em; }
.kpi b { display:block; font-size:19px; font-weight:600; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; font-variant-numeric:tabular-nums; }
main { display:grid; grid-template-columns:minmax(0,1fr) 340px; gap:12px; padding:12px 18px 18px; }
.charts { display:grid; grid-template-columns:repeat(2, minmax(0,1fr)); gap:12px; align-content:start; }
aside { display:flex; flex-direction:column; gap:12px; min-width:0; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 12px; min-width:0; position:relative; }
.card h2 { margin:0 0 6px; font-size:13px; font-weight:600; display:flex; align-items:center; gap:8px; }
.card h2 small { color:var(--muted); font-weight:400; }
.chart .plot { min-height:150px; }
.chart .empty { position:absolute; left:0; right:0; top:64px; text-align:center; color:var(--muted); margin:0; pointer-events:none; }
.chart.has-data .empty { display:none; }
.uplot { width:100% !important; }
.u-legend { font-size:11px; }
.list { list-style:none; margin:0; padding:0; }
.list li { display:grid; grid-template-columns:12px minmax(0,1fr); gap:8px; padding:5px 0; border-top:1px solid var(--line); align-items:start; }
.list li:first-child { border-top:0; }
.dot { width:10px; height:10px; border-radius:50%; margin-top:3px; background:var(--ok); }
.dot.bad { background:var(--bad); } .dot.warn { background:var(--warn); } .dot.info { background:var(--info); } .dot.off { background:#cbd5e1; }
.list .name { font-weight:600; }
.list .sub { color:var(--muted); font-size:12px; overflow-wrap:anywhere; }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th, td { text-align:right; padding:3px 6px; border-top:1px solid var(--line); white-space:nowrap; }
th { color:var(--muted); font-weight:500; font-size:11px; text-transform:uppercase; border-top:0; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align:left; }
#schema td, #schema th, #validation td, #validation th { text-align:left; }
#validation td.num { text-align:right; }
.scroll { max-height:150px; overflow:auto; }
.muted { color:var(--muted); } .small { font-size:11px; margin-top:4px; }
code { font-size:12px; background:#f1f5f9; padding:0 4px; border-radius:4px; }
`;
