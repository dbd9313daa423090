// The control center (docs/metrics.md, "The control center"): an event's early indicators,
// charts of its last minutes (uPlot), its breakdowns, the alerts, the forecast, the services,
// the fleet and the levers, from `onair metrics`' live stream (GET /v1/live/{event}, server-
// sent events, one overview a second). window.onairControl exposes what it drew, for tests.
'use strict';

const state = { event: null, frames: 0, last: null, seconds: new Map(), charts: {} };
window.onairControl = state;

const $ = (id) => document.getElementById(id);
const fmt = (v, digits = 0) => (v === undefined || v === null || Number.isNaN(v)) ? '–'
  : Number(v).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (v) => fmt(100 * (v || 0), 2) + ' %';
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

// The tiles: the early indicators, each from the latest overview.
const TILES = [
  ['viewers', 'concurrent viewers', (o) => fmt(o.span.total.concurrent_viewers)],
  ['starts', 'starts/s (judged)', (o) => o.starts ? `${fmt(o.starts.starts)} <small>vs ${fmt(o.starts.expected, 1)}</small>` : '–'],
  ['vst', 'startup time p95', (o) => fmt(o.span.total.vst_ms.p95) + ' ms'],
  ['vsf', 'start failures', (o) => fmt(o.span.total.start_failure_pct, 2) + ' %'],
  ['ebvs', 'exits before start', (o) => fmt(o.span.total.exits_before_start_pct, 2) + ' %'],
  ['rebuffer', 'rebuffering ratio', (o) => pct(o.span.total.rebuffer_ratio)],
  ['latency', 'latency p50 / p95', (o) => `${fmt(o.span.total.latency_ms.p50 / 1000, 2)} / ${fmt(o.span.total.latency_ms.p95 / 1000, 2)} s`],
  ['bitrate', 'average bitrate', (o) => fmt(o.span.total.avg_bitrate / 1e6, 2) + ' Mb/s'],
  ['top', 'time at top rung', (o) => pct(o.span.total.top_share)],
  ['errors', 'errors', (o) => fmt(o.span.total.errors)],
  ['alerts', 'alerts firing', (o) => fmt(o.alerts.active.filter((a) => a.state === 'firing').length)],
];

// The charts: series of the per-second figures.
const CHARTS = [
  ['viewers', 'Concurrent viewers', [['viewers', (s) => s.concurrent_viewers]]],
  ['starts', 'Starts and failures per second', [['starts', (s) => s.starts],
    ['start failures', (s) => s.start_failures], ['exits before start', (s) => s.exits_before_start]]],
  ['vst', 'Video startup time (ms)', [['p50', (s) => s.starts ? s.vst_ms.p50 : null],
    ['p95', (s) => s.starts ? s.vst_ms.p95 : null], ['p99', (s) => s.starts ? s.vst_ms.p99 : null]]],
  ['rebuffer', 'Rebuffering ratio (%)', [['rebuffering', (s) => s.played_s + s.stalled_s ? 100 * s.rebuffer_ratio : null]]],
  ['latency', 'Glass to glass (s)', [['p50', (s) => s.heartbeats ? s.latency_ms.p50 / 1000 : null],
    ['p95', (s) => s.heartbeats ? s.latency_ms.p95 / 1000 : null]]],
  ['errors', 'Errors per second', [['errors', (s) => s.errors]]],
  ['bitrate', 'Average bitrate (Mb/s)', [['bitrate', (s) => s.played_s ? s.avg_bitrate / 1e6 : null]]],
];
const COLORS = ['#6cf', '#f96', '#c6f', '#6f9'];

function setup() {
  $('tiles').innerHTML = TILES.map(([id, label]) =>
    `<div class="tile" id="tile-${id}"><div class="k">${label}</div><div class="v">–</div></div>`).join('');
  for (const [id, title, series] of CHARTS) {
    const div = document.createElement('div');
    div.className = 'chart';
    div.id = `chart-${id}`;
    $('charts').appendChild(div);
    const opts = {
      title, width: 450, height: 180,
      scales: { x: { time: true } },
      axes: [{ stroke: '#9aa', grid: { stroke: '#2a323c' } }, { stroke: '#9aa', grid: { stroke: '#2a323c' } }],
      series: [{}, ...series.map(([label], k) => ({ label, stroke: COLORS[k], width: 1.5 }))],
    };
    state.charts[id] = { plot: new uPlot(opts, [[], ...series.map(() => [])], div), series };
  }
}

function table(id, head, rows) {
  $(id).innerHTML = `<tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>` +
    rows.map((r) => `<tr class="${r.cls || ''}">${r.cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
}

function draw(o) {
  $('now').textContent = o.now;
  document.querySelectorAll('.window').forEach((e) => { e.textContent = o.window_s; });
  for (const [id, , value] of TILES) $(`tile-${id}`).querySelector('.v').innerHTML = value(o);
  // Seconds come again while late batches can still change them: each replaces its last.
  for (const s of o.seconds) state.seconds.set(s.second, s);
  const keep = o.second - 900;
  for (const k of state.seconds.keys()) if (k < keep) state.seconds.delete(k);
  const seconds = [...state.seconds.values()].sort((a, b) => a.second - b.second);
  const xs = seconds.map((s) => s.second);
  for (const { plot, series } of Object.values(state.charts)) {
    plot.setData([xs, ...series.map(([, f]) => seconds.map(f))]);
  }
  const alerts = [...o.alerts.active, ...o.alerts.history.filter((a) => a.state === 'resolved')];
  table('alerts', ['state', 'alert', 'where', 'what', 'since', 'runbook'], alerts.map((a) => ({
    cls: `${a.state} ${a.severity}`,
    cells: [a.state, esc(a.name), esc(Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' ')),
      esc(a.summary), esc(a.fired_at || a.since) + (a.resolved_at ? ` → ${esc(a.resolved_at)}` : ''),
      `<a href="/control/runbooks#${esc(a.name)}">runbook</a>`],
  })));
  const f = o.forecast;
  $('forecast').innerHTML = !f || !f.model ? 'not enough of the join curve yet' :
    `${esc(f.model)} fit: ` + f.ahead.map((p) => `+${p.horizon_s / 60} min: <b>${fmt(p.viewers)}</b> ` +
      `(${fmt(p.low)}–${fmt(p.high)})`).join(', ') +
    (o.capacity ? `; fleet capacity ${fmt(o.capacity)}` : '; fleet capacity unknown') +
    (f.capacity_in_s !== undefined ? ` — <b>capacity reached in about ${fmt(Math.ceil(f.capacity_in_s / 60))} minutes</b>` : '');
  for (const dim of ['edge', 'region', 'device_type']) {
    const by = (o.span.by && o.span.by[dim]) || {};
    table(`by-${dim}`, [dim, 'viewers', 'starts', 'VST p95', 'rebuffering', 'errors', 'latency p95'],
      Object.entries(by).map(([name, n]) => ({ cells: [esc(name), fmt(n.concurrent_viewers), fmt(n.starts),
        fmt(n.vst_ms.p95) + ' ms', pct(n.rebuffer_ratio), fmt(n.errors), fmt(n.latency_ms.p95 / 1000, 2) + ' s'] })));
  }
  const sv = o.services || { targets: {}, span: { by_target: {} } };
  table('services', ['service', 'state', 'served', 'hit ratio', 'refused', 'shed', 'origin switches', 'defects'],
    Object.entries(sv.targets).map(([name, t]) => {
      const c = sv.span.by_target[name] || {};
      return { cls: t.up ? '' : 'firing', cells: [esc(name), t.up ? 'up' : `<b>down</b> since ${esc(t.since)}`,
        fmt(c.served), c.served ? pct(c.hit_ratio) : '–', fmt(c.refused), fmt(c.shed), fmt(c.origin_switches), fmt(c.defects)] };
    }));
  table('fleet', ['edge', 'region', 'state', 'connections', 'egress', 'takes viewers'],
    (Array.isArray(o.fleet) ? o.fleet : []).map((e) => ({ cls: e.reachable ? '' : 'firing',
      cells: [esc(e.name), esc(e.region || 'all'), esc(e.state), `${fmt(e.connections)} / ${fmt(e.max_connections) || '∞'}`,
        fmt(e.egress_bps / 1e6, 1) + ' Mb/s', e.eligible ? 'yes' : '<b>no</b>'] })));
  const l = o.levers;
  table('levers', ['lever', 'state'], !l ? [{ cells: ['–', 'the playback service is not watched'] }] : [
    { cells: ['quality cap', l.quality ? esc(JSON.stringify(l.quality)) : 'none'] },
    { cells: ['by device type', Object.keys(l.quality_by_type || {}).length ? esc(JSON.stringify(l.quality_by_type)) : 'none'] },
    { cells: ['personalisation', l.personalisation ? 'on' : '<b>off</b>'] },
    { cells: ['drained edges', (l.drained_edges || []).length ? esc(l.drained_edges.join(', ')) : 'none'] },
  ]);
}

async function pickEvent() {
  const asked = new URLSearchParams(location.search).get('event');
  if (asked) return asked;
  for (;;) {
    try {
      const r = await fetch('/v1/metrics');
      const j = await r.json();
      if (j.events && j.events.length) return j.events[0];
    } catch (e) { /* the service restarts: try again */ }
    $('status').textContent = 'waiting for an event';
    await new Promise((done) => setTimeout(done, 2000));
  }
}

async function main() {
  setup();
  state.event = await pickEvent();
  $('event').textContent = state.event;
  const source = new EventSource(`/v1/live/${encodeURIComponent(state.event)}`);
  source.onopen = () => { $('status').textContent = 'live'; $('status').className = 'live'; };
  source.onerror = () => { $('status').textContent = 'reconnecting'; $('status').className = 'down'; };
  source.onmessage = (m) => {
    const o = JSON.parse(m.data);
    state.last = o;
    state.frames++;
    draw(o);
  };
}

main();
