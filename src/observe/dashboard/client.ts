// The dashboard's browser script (plain ES2020, no build step): loads history, follows the batch
// stream, polls status and readiness, and draws bounded uPlot charts.

export function dashboardScript(): string {
  return `'use strict';
(function () {
  var MAX_POINTS = 720;
  var points = [];
  var charts = {};
  var $ = function (id) { return document.getElementById(id); };
  var fmt = function (n, digits) {
    if (n === null || n === undefined || !isFinite(n)) return '-';
    if (Math.abs(n) >= 1e9) return (n / 1e9).toFixed(1) + 'G';
    if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(1) + 'M';
    if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(1) + 'k';
    return Number(n).toFixed(digits === undefined ? 0 : digits);
  };
  var esc = function (s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); };
  var secs = function (s) { return s === null || s === undefined ? '-' : s < 1 ? (s * 1000).toFixed(0) + ' ms' : s < 120 ? s.toFixed(1) + ' s' : (s / 60).toFixed(1) + ' min'; };
  var time = function (ms) { return new Date(ms).toLocaleTimeString([], { hour12: false }); };

  var SPECS = {
    'c-rate': [{ label: 'in', key: 'inputRowsPerSecond', stroke: '#0f766e' }, { label: 'processed', key: 'processedRowsPerSecond', stroke: '#2563eb' }],
    'c-dur': [{ label: 'duration ms', key: 'durationMs', stroke: '#7c3aed' }],
    'c-lat': [{ label: 'latency s', key: 'latencySeconds', stroke: '#d97706' }],
    'c-err': [{ label: 'rejected', key: 'rejected', stroke: '#dc2626' }, { label: 'errors', key: 'errors', stroke: '#9333ea' }],
    'c-lag': [{ label: 'lag', key: 'lag', stroke: '#0891b2' }]
  };

  function pad(n, w) { return String(n).padStart(w, '0'); }
  // One line per tick: hh:mm:ss, with tenths when the whole chart spans only a few seconds.
  function timeTicks(u, splits) {
    var span = (u.scales.x.max || 0) - (u.scales.x.min || 0);
    return splits.map(function (v) {
      var d = new Date(v * 1000);
      var hms = pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2);
      return span < 5 ? pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2) + '.' + Math.floor(d.getMilliseconds() / 100) : hms;
    });
  }

  function makeChart(id) {
    var box = $(id);
    var plot = box.querySelector('.plot');
    if (typeof window.uPlot !== 'function') { box.querySelector('.empty').textContent = 'charting library not installed'; return null; }
    var series = [{}].concat(SPECS[id].map(function (s) {
      return { label: s.label, stroke: s.stroke, width: 2, fill: s.stroke + '18', points: { size: 5 }, spanGaps: true, value: function (u, v) { return v === null ? '-' : fmt(v, 1); } };
    }));
    var opts = {
      width: Math.max(200, plot.clientWidth), height: 150,
      series: series,
      legend: { show: SPECS[id].length > 1, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.15 : 1]; } } },
      axes: [
        { stroke: '#6b7686', grid: { stroke: '#eef2f6' }, ticks: { stroke: '#e3e8ef' }, space: 70, font: '11px system-ui, sans-serif', values: timeTicks },
        { stroke: '#6b7686', grid: { stroke: '#eef2f6' }, ticks: { stroke: '#e3e8ef' }, size: 48, font: '11px system-ui, sans-serif', values: function (u, vals) { return vals.map(function (v) { return fmt(v, v < 10 && v % 1 ? 1 : 0); }); } }
      ]
    };
    var u = new window.uPlot(opts, [[]].concat(SPECS[id].map(function () { return []; })), plot);
    new ResizeObserver(function () { u.setSize({ width: Math.max(200, plot.clientWidth), height: 150 }); }).observe(plot);
    return u;
  }

  function redraw() {
    Object.keys(SPECS).forEach(function (id) {
      var u = charts[id];
      var xs = points.map(function (p) { return p.t / 1000; });
      var cols = SPECS[id].map(function (s) { return points.map(function (p) { return p[s.key] === undefined ? null : p[s.key]; }); });
      var has = cols.some(function (c) { return c.some(function (v) { return v !== null; }); });
      var box = $(id);
      box.classList.toggle('has-data', has);
      box.setAttribute('data-points', String(has ? points.length : 0));
      if (u) u.setData([xs].concat(cols));
    });
    var rows = points.slice(-8).reverse().map(function (p) {
      return '<tr><td>' + p.batchId + '</td><td>' + time(p.t) + '</td><td>' + fmt(p.rowsIn) + '</td><td>' + fmt(p.rowsOut) + '</td><td>' + fmt(p.rejected) + '</td><td>' + fmt(p.durationMs) + '</td></tr>';
    });
    document.querySelector('#batches tbody').innerHTML = rows.join('') || '<tr><td colspan="6" class="muted">no batch yet</td></tr>';
    var last = points[points.length - 1];
    if (last) {
      $('k-rate').textContent = fmt(last.processedRowsPerSecond, 1);
      $('k-dur').textContent = fmt(last.durationMs) + ' ms';
      $('k-lat').textContent = secs(last.latencySeconds);
      $('k-lag').textContent = fmt(last.lag);
    }
  }

  function addPoint(p) {
    if (points.length && points[points.length - 1].batchId === p.batchId && points[points.length - 1].t === p.t) return;
    points.push(p);
    if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
    redraw();
  }

  var STATE_CLASS = { running: 'ok', idle: 'ok', starting: 'info', backing_off: 'warn', failed: 'bad', stopped: 'neutral' };
  var SEV_CLASS = { critical: 'bad', warning: 'warn', info: 'info' };

  function renderStatus(s) {
    document.title = s.pipeline + ' - sluice';
    $('pipeline').textContent = s.pipeline;
    var st = $('state');
    st.textContent = s.state.replace('_', ' ');
    st.className = 'pill ' + (STATE_CLASS[s.state] || '');
    $('detail').textContent = s.sink ? (s.source ? s.source + '  \\u2192  ' : '') + s.sink : s.detail;
    $('detail').title = s.detail;
    $('clock').textContent = 'up ' + secs(s.uptimeSeconds);
    $('k-in').textContent = fmt(s.totals.rowsIn);
    $('k-out').textContent = fmt(s.totals.rowsOut);
    $('k-batches').textContent = fmt(s.totals.batches);
    $('k-rej').textContent = fmt(s.totals.rejected);
    var shown = s.alerts.filter(function (a) { return a.state === 'firing' || a.state === 'pending'; });
    $('alerts').innerHTML = shown.length === 0
      ? '<li><span class="dot"></span><span><span class="name">No alerts firing</span><div class="sub">' + s.alerts.length + ' rules watched</div></span></li>'
      : shown.map(function (a) {
        var cls = a.state === 'pending' ? 'off' : SEV_CLASS[a.severity] || 'warn';
        return '<li class="alert" data-state="' + a.state + '" data-name="' + esc(a.name) + '"><span class="dot ' + cls + '"></span><span><span class="name">' + esc(a.name) + '</span> <span class="pill ' + (a.state === 'firing' ? cls : 'neutral') + '">' + a.state + '</span>' +
          '<div class="sub">' + esc(a.metric) + ' ' + esc(a.condition) + ' (now ' + fmt(a.value, 2) + ')' + (a.description ? ' \\u2014 ' + esc(a.description) : '') + '</div></span></li>';
      }).join('');
    var sc = s.schema;
    $('schema-version').textContent = sc.version ? 'v' + sc.version : 'none';
    var fields = sc.current && sc.current.fields ? sc.current.fields : [];
    $('schema').innerHTML = fields.length === 0 ? '<p class="muted">no schema yet</p>' : '<table><thead><tr><th>column</th><th>type</th></tr></thead><tbody>' + fields.map(function (f) {
      return '<tr><td>' + esc(f.name) + '</td><td>' + esc(typeof f.type === 'string' ? f.type : f.type.type || 'struct') + (f.nullable ? '' : ' not null') + '</td></tr>';
    }).join('') + '</tbody></table>';
    $('schema-versions').textContent = sc.versions.length > 1 ? sc.versions.map(function (v) { return 'v' + v.version + ' from batch ' + v.sinceBatch + ' (' + v.fields + ' columns)'; }).join(' \\u00b7 ') : '';
    var rej = s.rejections.slice().sort(function (a, b) { return b.count - a.count; });
    var html = rej.length === 0 ? '<p class="muted">no record rejected</p>' : '<table><thead><tr><th>stage</th><th>reason</th><th>records</th></tr></thead><tbody>' + rej.map(function (r) {
      return '<tr><td>' + esc(r.stage) + '</td><td>' + esc(r.rule || r.type) + '</td><td class="num">' + fmt(r.count) + '</td></tr>';
    }).join('') + '</tbody></table>';
    if (s.quality.length) html += '<table><thead><tr><th>stage</th><th>measure</th><th>value</th></tr></thead><tbody>' + s.quality.map(function (q) {
      return '<tr><td>' + esc(q.stage) + '</td><td>' + esc(q.measure) + '</td><td class="num">' + fmt(q.value, 3) + '</td></tr>';
    }).join('') + '</tbody></table>';
    $('validation').innerHTML = html;
  }

  function renderReady(r) {
    var pill = $('ready');
    pill.textContent = r.ready ? 'ready' : 'not ready';
    pill.className = 'pill ' + (r.ready ? 'ok' : 'bad');
    $('health').innerHTML = ['source', 'sink', 'pipeline', 'resources'].map(function (k) {
      var c = r.components[k];
      return '<li data-component="' + k + '" data-healthy="' + c.healthy + '"><span class="dot ' + (c.healthy ? '' : 'bad') + '"></span><span><span class="name">' + k + '</span><div class="sub">' + esc(c.detail) + '</div></span></li>';
    }).join('');
  }

  function get(path) { return fetch(path, { cache: 'no-store' }).then(function (r) { return r.json(); }); }
  function poll() {
    get('/api/status').then(renderStatus).catch(function () { $('state').textContent = 'unreachable'; $('state').className = 'pill bad'; });
    get('/ready').then(renderReady).catch(function () {});
  }

  Object.keys(SPECS).forEach(function (id) { charts[id] = makeChart(id); });
  get('/api/history').then(function (h) { h.forEach(function (p) { points.push(p); }); points = points.slice(-MAX_POINTS); redraw(); }).finally(function () {
    var es = new EventSource('/api/events');
    es.addEventListener('batch', function (e) { addPoint(JSON.parse(e.data)); poll(); });
  });
  poll();
  setInterval(poll, 2000);
})();
`;
}
