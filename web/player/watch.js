// The web player of /watch/{event}: asks the playback service for a manifest made for this
// browser (POST /v1/playback/{event}, retrying only as the service says), plays it with
// dash.js at low latency (the manifest's latency target, content steering, CMCD), and shows
// latency, bitrate and edge over the picture, and reports what the viewer got as QoE events
// (POST /v1/events, docs/player.md) every 10 s and when the page goes. window.onair holds the
// same figures for tests.
'use strict';

(function () {
  const video = document.getElementById('video');
  const overlay = document.getElementById('overlay');
  const parts = location.pathname.split('/').filter(Boolean);
  const event = decodeURIComponent(parts[1] || '');
  const params = new URLSearchParams(location.search);
  const session = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2))
      .replace(/-/g, '');

  const stats = {
    event, session, state: 'starting', startedAt: 0, firstFrameMs: -1, stalls: 0, stallMs: 0,
    latency: NaN, target: NaN, bitrate: 0, rendition: '', edge: '', errors: [],
  };
  window.onair = stats;
  const t0 = performance.now();
  let stalledAt = 0;

  // QoE events, posted in batches to the service the page came from (it passes them on to
  // the metrics service): start, rebuffer, error, a heartbeat every 10 s with the time played
  // and stalled since the last one, and the end.
  const qoe = { events: [], played: 0, stalled: 0, top: 0 };
  stats.eventsPosted = 0;
  function note(e) {
    e.t = new Date().toISOString();
    if (qoe.events.length < 900) qoe.events.push(e);  // a batch holds 1 000 at most
  }
  function batchBody() {
    const d = { type: 'browser' };
    if (params.get('region')) d.region = params.get('region');
    return JSON.stringify({ v: 1, session, event, device: d, events: qoe.events.splice(0) });
  }
  function heartbeat() {
    const e = { type: 'heartbeat', state: stats.state, played_ms: Math.round(qoe.played),
                stalled_ms: Math.round(qoe.stalled) };
    qoe.played = 0;
    qoe.stalled = 0;
    if (stats.bitrate) e.bitrate = Math.round(stats.bitrate);
    if (stats.latency > 0) e.latency_ms = Math.round(stats.latency * 1000);
    if (stats.rendition) { e.rendition = stats.rendition; e.codec = 'avc'; }
    if (stats.edge) e.edge = stats.edge;
    if (qoe.top) e.top = stats.bitrate >= qoe.top;
    note(e);
  }
  async function postEvents() {
    if (!qoe.events.length) return;
    try {
      const res = await fetch('/v1/events', { method: 'POST', keepalive: true,
        headers: { 'Content-Type': 'application/json' }, body: batchBody() });
      if (res.status === 202) stats.eventsPosted += 1;
    } catch (e) { /* the next batch says how it went on */ }
  }
  function end(fatal) {
    note({ type: 'end', played_s: stats.startedAt ? (Date.now() - stats.startedAt) / 1000 : 0,
           rebuffers: stats.stalls, started: stats.startedAt > 0, fatal });
    navigator.sendBeacon('/v1/events', new Blob([batchBody()], { type: 'application/json' }));
  }
  addEventListener('pagehide', () => { heartbeat(); end(false); }, { once: true });

  function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

  // The device as the playback service reads it (docs/playback.md).
  function device() {
    const d = {
      device_id: session,
      device_type: 'browser',
      codecs: ['avc'],  // what MediaSource plays everywhere
      max_width: Math.round(screen.width * (window.devicePixelRatio || 1)),
      max_height: Math.round(screen.height * (window.devicePixelRatio || 1)),
    };
    if (params.get('region')) d.region = params.get('region');
    if (params.get('max_bitrate')) d.max_bitrate = Number(params.get('max_bitrate'));
    return d;
  }

  // The manifest; on 503 waits what the service says (retry_after_ms, Retry-After), else
  // backs off exponentially with full jitter.
  async function manifest() {
    for (let attempt = 0; attempt < 8; attempt++) {
      let res;
      try {
        res = await fetch('/v1/playback/' + encodeURIComponent(event), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Onair-Priority': 'live' },
          body: JSON.stringify(device()),
        });
      } catch (e) {
        res = null;
      }
      if (res && res.ok) return res.text();
      if (res && res.status !== 503 && res.status < 500) {
        throw new Error('the playback service refused (' + res.status + '): ' + await res.text());
      }
      let wait = Math.random() * Math.min(8000, 250 * 2 ** attempt);
      if (res) {
        const body = await res.text();
        try { wait = JSON.parse(body).retry_after_ms ?? wait; } catch (e) { /* not JSON */ }
        const header = Number(res.headers.get('Retry-After'));
        if (!(wait >= 0) && header >= 0) wait = header * 1000;
      }
      show('waiting for the service (' + Math.round(wait) + ' ms)');
      await sleep(wait);
    }
    throw new Error('no manifest after 8 attempts');
  }

  function show(text) { overlay.textContent = text; }

  function render() {
    const lines = [
      event + '  ' + stats.state,
      'latency  ' + (isNaN(stats.latency) ? '-' : stats.latency.toFixed(2) + ' s') +
          (isNaN(stats.target) ? '' : '  (target ' + stats.target.toFixed(1) + ' s)'),
      'bitrate  ' + (stats.bitrate / 1e6).toFixed(2) + ' Mb/s  ' + stats.rendition,
      'edge     ' + (stats.edge || '-'),
      'stalls   ' + stats.stalls,
    ];
    if (stats.errors.length) lines.push('error    ' + stats.errors[stats.errors.length - 1]);
    show(lines.join('\n'));
  }

  async function start() {
    const mpd = await manifest();
    const target = /<Latency[^>]*target="(\d+)"/.exec(mpd);
    if (target) stats.target = Number(target[1]) / 1000;
    const url = URL.createObjectURL(new Blob([mpd], { type: 'application/dash+xml' }));
    const player = dashjs.MediaPlayer().create();
    player.updateSettings({
      debug: { logLevel: dashjs.Debug.LOG_LEVEL_WARNING },
      streaming: {
        // CMCD on segment requests (the manifest is a local blob: no query there).
        cmcd: { enabled: true, mode: 'query', sid: session, cid: event,
                includeInRequests: ['segment'] },
        // The service's latency target is a ceiling to stay under: aim 10 % below it (dash.js
        // holds its aim within about a tenth of a second once caught up).
        delay: { liveDelay: isNaN(stats.target) ? undefined : 0.9 * stats.target },
        liveCatchup: { enabled: true },
        // Start from a small buffer: the live edge is a chunk away.
        buffer: { fastSwitchEnabled: true },
      },
    });
    const events = dashjs.MediaPlayer.events;
    player.on(events.FRAGMENT_LOADING_COMPLETED, (e) => {
      const r = e.request;
      if (r && r.mediaType === 'video') {
        stats.edge = r.serviceLocation || (r.url ? new URL(r.url).host : '');
      }
    });
    player.on(events.ERROR, (e) => {
      const err = e.error || {};
      stats.errors.push((err.code || '') + ' ' + (err.message || ''));
      note({ type: 'error', kind: 'dashjs_' + (err.code || 'unknown'),
             detail: String(err.message || '').slice(0, 200), edge: stats.edge || undefined });
    });
    video.addEventListener('playing', () => {
      if (!stats.startedAt) {
        stats.startedAt = Date.now();
        stats.firstFrameMs = Math.round(performance.now() - t0);
        note({ type: 'start', ttff_ms: stats.firstFrameMs, edge: stats.edge || undefined });
      }
      if (stalledAt) {
        const ms = performance.now() - stalledAt;
        stats.stallMs += ms;
        note({ type: 'rebuffer', duration_ms: Math.round(ms), edge: stats.edge || undefined });
        stalledAt = 0;
      }
      stats.state = 'playing';
    });
    video.addEventListener('waiting', () => {
      if (!stats.startedAt) return;  // start-up is not a stall
      stats.stalls += 1;
      stalledAt = performance.now();
      stats.state = 'stalled';
    });
    player.initialize(video, url, true);
    let tick = performance.now();
    setInterval(() => {
      const now = performance.now();
      if (stats.state === 'playing') qoe.played += now - tick;
      if (stats.state === 'stalled') qoe.stalled += now - tick;
      tick = now;
      stats.latency = player.getCurrentLiveLatency();
      const rep = player.getCurrentRepresentationForType('video');
      if (rep) {
        stats.bitrate = rep.bandwidth;
        stats.rendition = rep.id;
      }
      const reps = player.getRepresentationsByType ? player.getRepresentationsByType('video') : [];
      if (reps && reps.length) qoe.top = Math.max(...reps.map((r) => r.bandwidth || 0));
      stats.currentTime = video.currentTime;
      render();
    }, 250);
    setInterval(() => { heartbeat(); postEvents(); }, 10000);
  }

  if (!event) {
    show('no event: open /watch/{event}');
    return;
  }
  start().catch((e) => {
    stats.state = 'failed';
    stats.errors.push(String(e.message || e));
    note({ type: 'error', kind: 'start', detail: String(e.message || e).slice(0, 200), fatal: true });
    end(true);
    render();
  });
})();
