// Page timings for `cargo xtask bench`, side by side in one run: the static floor (our first
// view as plain HTML and CSS, no script) and the page, each on loopback and on a throttled
// link (10 Mbit/s, 40 ms latency, as DevTools emulates it), cold cache (a fresh browser
// profile per load), medians of ten. Measured: the form on screen (first contentful paint),
// the app interactive (`data-app-ready`), the finished report of a healthy test-world domain
// opened by link (and that link's own interactive moment and bytes), bytes on the wire for a
// first and a repeat visit, and a check typed into the first page: from pressing Enter to
// the finished report, once the field's focus has prefetched the check. Prints one JSON line.
import { launch } from './lib.mjs';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const BASE = process.env.MTASTS_BASE_URL;
const FLOOR = process.env.MTASTS_FLOOR_URL;
const DOH = process.env.MTASTS_DOH;
const RUNS = Number(process.env.MTASTS_PAGE_RUNS || 10);
const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : null);
const LINKS = {
  loopback: null,
  throttled: { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 },
};

// Response bodies of the page's own files as the browser received them (headers excluded).
const wireBytes = (page) => page.evaluate(() => [
  ...performance.getEntriesByType('navigation'),
  ...performance.getEntriesByType('resource'),
].filter((e) => e.name.startsWith(location.origin) && !e.name.includes('/api/'))
  .reduce((sum, e) => sum + (e.transferSize ? e.encodedBodySize : 0), 0));

const paint = (page) => page.evaluate(() => new Promise((resolve) => {
  const seen = performance.getEntriesByName('first-contentful-paint')[0];
  if (seen) return resolve(seen.startTime);
  new PerformanceObserver((list) => {
    const e = list.getEntriesByName('first-contentful-paint')[0];
    if (e) resolve(e.startTime);
  }).observe({ type: 'paint', buffered: true });
}));

// When `data-app-ready` and the finished report appear, timed in the page by a mutation
// observer. Reading the clock after Playwright's waitForSelector would add its polling,
// which backs off to hundreds of milliseconds while a page loads.
function markMoments() {
  const seen = {};
  window.__moments = seen;
  const look = () => {
    if (!seen.ready && document.documentElement.dataset.appReady === 'true') seen.ready = performance.now();
    if (!seen.report && document.querySelector('#report[data-state="done"]')) seen.report = performance.now();
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });
}
const moment = async (page, name) => {
  await page.waitForFunction((n) => window.__moments && window.__moments[n], name, { timeout: 60000 });
  return page.evaluate((n) => window.__moments[n], name);
};

async function newPage(browser, link) {
  const page = await browser.context.newPage();
  await page.addInitScript(markMoments);
  if (LINKS[link]) {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', LINKS[link]);
  }
  return page;
}

async function measure(base, link, app) {
  const out = {
    form_ms: [], ready_ms: [], report_ms: [], first_visit_bytes: [], repeat_visit_bytes: [],
    link_ready_ms: [], link_visit_bytes: [], typed_report_ms: [],
  };
  for (let i = 0; i < RUNS; i++) {
    const browser = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH });
    try {
      const page = await newPage(browser, link);
      await page.goto(`${base}/`, { waitUntil: 'commit' });
      await page.waitForSelector('#domain-input', { state: 'visible' });
      out.form_ms.push(await paint(page));
      if (app) {
        out.ready_ms.push(await moment(page, 'ready'));
      }
      await page.waitForLoadState('networkidle');
      out.first_visit_bytes.push(await wireBytes(page));
      // A repeat visit in the same profile: hashed assets come from the cache.
      await page.goto(`${base}/`);
      await page.waitForLoadState('networkidle');
      out.repeat_visit_bytes.push(await wireBytes(page));
      if (app && DOH) {
        // A visitor who types: the focus prefetches the check's build while they type (its
        // responses awaited here), and Enter opens the `?domain=` page, timed to the report
        // on the one clock both documents share.
        await moment(page, 'ready');
        const prefetched = Promise.all([/\/check-[0-9a-f]+\.js$/, /\/check-[0-9a-f]+_bg\.wasm$/]
          .map((re) => page.waitForResponse((r) => re.test(new URL(r.url()).pathname), { timeout: 60000 })));
        await page.locator('#domain-input').click();
        await prefetched;
        await page.locator('#domain-input').fill('good.test');
        const pressed = await page.evaluate(() => performance.timeOrigin + performance.now());
        await page.locator('#domain-input').press('Enter');
        await page.waitForURL((u) => u.searchParams.get('domain') === 'good.test');
        const done = await moment(page, 'report');
        const origin = await page.evaluate(() => performance.timeOrigin);
        out.typed_report_ms.push(origin + done - pressed);
      }
      await page.close();
    } finally {
      await browser.close();
    }
    // After the first browser has closed: a second one running beside it would compete
    // for the machine's two cores, which no visitor's browser does.
    if (app && DOH) {
      // A shared link of a healthy domain in a second cold profile: navigation to the
      // finished report.
      const cold = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH });
      try {
        const page = await newPage(cold, link);
        await page.goto(`${base}/?domain=good.test`, { waitUntil: 'commit' });
        out.report_ms.push(await moment(page, 'report'));
        out.link_ready_ms.push(await moment(page, 'ready'));
        await page.waitForLoadState('networkidle');
        out.link_visit_bytes.push(await wireBytes(page));
        if (process.env.MTASTS_PAGE_TRACE && i === 0) {
          const rows = await page.evaluate(() => performance.getEntriesByType('resource')
            .map((e) => [Math.round(e.startTime), Math.round(e.responseEnd), e.initiatorType, e.name.slice(0, 110)]));
          console.error(`${link} report waterfall (start, end, type, url):`);
          for (const r of rows) console.error(r.join('\t'));
        }
      } finally {
        await cold.close();
      }
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, median(v)]));
}

const results = {};
for (const link of Object.keys(LINKS)) {
  results[link] = {
    floor: FLOOR ? await measure(FLOOR, link, false) : null,
    page: await measure(BASE, link, true),
  };
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
console.log(JSON.stringify({ runs: RUNS, results, files }));
