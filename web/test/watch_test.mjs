// Plays /watch/{event} in Debian's headless Chromium (driven by playwright-core) for a while
// and prints what the viewer got as one JSON line: how far currentTime advanced, stalls after
// the start, latency samples (dash.js's live latency), the edges and bitrates seen, errors.
// Usage: node watch_test.mjs URL SECONDS [SCREENSHOT.png]
import { chromium } from 'playwright-core';

const [url, seconds = '30', screenshot] = process.argv.slice(2);
if (!url) {
  console.error('usage: node watch_test.mjs URL SECONDS [SCREENSHOT.png]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--autoplay-policy=no-user-gesture-required'],
});
const result = { ok: false };
try {
  const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
  const console_errors = [];
  page.on('console', (m) => { if (m.type() === 'error') console_errors.push(m.text()); });
  page.on('pageerror', (e) => console_errors.push(String(e)));
  await page.goto(url);
  // The first frame.
  await page.waitForFunction(() => window.onair && window.onair.startedAt > 0, null,
                             { timeout: 30000 });
  const first = await page.evaluate(() => ({ ...window.onair,
                                             t: document.getElementById('video').currentTime }));
  const samples = [];
  const settleUntil = Date.now() + 10000;  // dash.js catches up to its aim in the first seconds
  const edges = new Set();
  const bitrates = new Set();
  const until = Date.now() + Number(seconds) * 1000;
  while (Date.now() < until) {
    await page.waitForTimeout(500);
    const s = await page.evaluate(() => ({ ...window.onair,
                                           t: document.getElementById('video').currentTime }));
    samples.push({ t: s.t, latency: s.latency, state: s.state, settled: Date.now() > settleUntil });
    if (s.edge) edges.add(s.edge);
    if (s.bitrate) bitrates.add(s.bitrate);
  }
  const last = await page.evaluate(() => ({ ...window.onair,
                                            t: document.getElementById('video').currentTime }));
  if (screenshot) await page.screenshot({ path: screenshot });
  const latencies = samples.map((s) => s.latency).filter((l) => l > 0).sort((a, b) => a - b);
  // currentTime never stood still between two samples half a second apart.
  let stuck = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i].t <= samples[i - 1].t) stuck++;
  Object.assign(result, {
    ok: true,
    advanced_s: last.t - first.t,
    stalls: last.stalls,
    stall_ms: last.stallMs,
    stuck_samples: stuck,
    first_frame_ms: first.firstFrameMs,
    target_s: last.target,
    latency_p50_s: latencies[Math.floor(latencies.length * 0.5)] ?? null,
    latency_max_s: latencies[latencies.length - 1] ?? null,
    latency_settled_max_s: Math.max(...samples.filter((x) => x.settled && x.latency > 0)
                                             .map((x) => x.latency)),
    edges: [...edges],
    bitrates: [...bitrates],
    overlay: await page.textContent('#overlay'),
    events_posted: last.eventsPosted,
    errors: last.errors.concat(console_errors),
  });
} catch (e) {
  result.error = String(e.message || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
