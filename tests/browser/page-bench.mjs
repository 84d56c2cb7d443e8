// Page timings for `cargo xtask bench`: time from navigation to the first render of the app
// (the domain field exists) and to the finished report of a test-world domain, each a
// median of ten cold loads (a fresh browser profile each time). Prints one JSON line.
import { launch } from './lib.mjs';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const BASE = process.env.MTASTS_BASE_URL;
const DOH = process.env.MTASTS_DOH;
const RUNS = 10;
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const render = [];
const idle = [];
const submit = [];
const firstVisit = [];
const repeatVisit = [];
// Bytes that crossed the wire for the page's own files (headers excluded), as the
// browser's resource timing reports them.
const wireBytes = (page) => page.evaluate(() => [
  ...performance.getEntriesByType('navigation'),
  ...performance.getEntriesByType('resource'),
].filter((e) => e.name.startsWith(location.origin) && !e.name.includes('/api/'))
  .reduce((sum, e) => sum + (e.encodedBodySize && e.transferSize ? e.encodedBodySize : 0), 0));
for (let i = 0; i < RUNS; i++) {
  const browser = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH });
  const page = await browser.context.newPage();
  await page.goto(`${BASE}/`);
  await page.waitForSelector('#domain-input');
  render.push(await page.evaluate(() => performance.now()));
  await page.waitForLoadState('networkidle');
  // Idle: when the last thing the page loaded had arrived (networkidle itself fires only
  // after 500 quiet milliseconds).
  idle.push(await page.evaluate(() => Math.max(
    performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? 0,
    ...performance.getEntriesByType('resource').map((r) => r.responseEnd),
  )));
  firstVisit.push(await wireBytes(page));
  if (DOH) {
    await page.fill('#domain-input', 'good.test');
    const start = await page.evaluate(() => performance.now());
    await page.press('#domain-input', 'Enter');
    await page.waitForSelector('#report[data-state="done"]', { timeout: 30000 });
    submit.push((await page.evaluate(() => performance.now())) - start);
  }
  // A repeat visit in the same profile: hashed assets come from the cache.
  await page.goto(`${BASE}/`);
  await page.waitForSelector('#domain-input');
  await page.waitForLoadState('networkidle');
  repeatVisit.push(await wireBytes(page));
  await browser.close();
}
const dist = process.env.MTASTS_DIST;
const files = dist
  ? readdirSync(dist).filter((name) => !name.endsWith('.br') && !name.endsWith('.gz')).map((name) => {
      const bytes = readFileSync(`${dist}/${name}`);
      return {
        name,
        raw: bytes.length,
        gzip: gzipSync(bytes, { level: 9 }).length,
        brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      };
    })
  : [];
console.log(JSON.stringify({
  first_render_ms: median(render),
  idle_ms: median(idle),
  submit_to_report_ms: DOH ? median(submit) : null,
  first_visit_wire_bytes: median(firstVisit),
  repeat_visit_wire_bytes: median(repeatVisit),
  runs: RUNS,
  files,
}));
