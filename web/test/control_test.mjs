// Opens the control center (/control of `onair metrics`) in Debian's headless Chromium
// (driven by playwright-core), checks that its charts draw, then posts QoE events of new
// viewers to the metrics service and times how long the page takes to show them. Prints one
// JSON line. Usage: node control_test.mjs METRICS_URL EVENT NEW_VIEWERS [SCREENSHOT.png]
import { chromium } from 'playwright-core';

const [base, event, newViewers = '25', screenshot] = process.argv.slice(2);
if (!base || !event) {
  console.error('usage: node control_test.mjs METRICS_URL EVENT NEW_VIEWERS [SCREENSHOT.png]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const result = { ok: false };
const viewersShown = (page) => page.evaluate(() =>
  Number(document.querySelector('#tile-viewers .v').textContent.replace(/[^0-9]/g, '')) || 0);
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(`${base}/control?event=${encodeURIComponent(event)}`);
  await page.waitForFunction(() => window.onairControl && window.onairControl.frames >= 2, null,
                             { timeout: 20000 });
  // The charts drew: each has its seconds, and the viewers' line has pixels of its colour.
  const charts = await page.evaluate(() => Object.fromEntries(Object.entries(window.onairControl.charts)
    .map(([id, c]) => [id, c.plot.data[0].length])));
  const linePixels = await page.evaluate(() => {
    const canvas = document.querySelector('#chart-viewers canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - 0x66) < 40 && Math.abs(data[i + 1] - 0xcc) < 40 && data[i + 2] > 200) n++;
    }
    return n;
  });
  const before = await viewersShown(page);
  // New viewers arrive: their heartbeats, one batch each, posted from here.
  const t0 = Date.now();
  const now = new Date().toISOString();
  const posts = [];
  for (let k = 0; k < Number(newViewers); k++) {
    posts.push(fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session: `control-${k}`, event, device: { type: 'tv', region: 'eu' },
        events: [{ type: 'heartbeat', t: now, edge: 'edge-a', played_ms: 1000, bitrate: 2000000 }] }),
    }).then((r) => r.status));
  }
  const statuses = await Promise.all(posts);
  let after = before;
  let changeMs = null;
  while (Date.now() - t0 < 10000) {
    after = await viewersShown(page);
    if (after >= before + Number(newViewers)) { changeMs = Date.now() - t0; break; }
    await page.waitForTimeout(50);
  }
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  Object.assign(result, {
    ok: true,
    frames: await page.evaluate(() => window.onairControl.frames),
    charts,
    line_pixels: linePixels,
    posted: statuses.filter((s) => s === 202).length,
    viewers_before: before,
    viewers_after: after,
    change_ms: changeMs,
    tables: await page.evaluate(() => ({
      edges: document.querySelectorAll('#by-edge tr').length - 1,
      alerts: document.querySelectorAll('#alerts tr').length - 1,
      status: document.getElementById('status').textContent,
    })),
    errors: consoleErrors,
  });
} catch (e) {
  result.error = String(e.message || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
