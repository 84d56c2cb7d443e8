// The first view is plain HTML: on screen and usable before the wasm arrives, taken over by
// the app without a shift and without losing what the visitor typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, ARTIFACTS, launch, watchErrors } from './lib.mjs';

const DOH = process.env.MTASTS_DOH;
let browser;
before(async () => { browser = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH }); });
after(async () => { await browser?.close(); });

// A page whose wasm download waits until `release()` is called.
async function heldPage() {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const errors = watchErrors(page);
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
  return { page, errors, release };
}

const ready = (page) => page.locator('html[data-app-ready="true"]').waitFor({ timeout: 20000 });

// Where the first view's parts are drawn, to compare before and after the app takes over.
const boxes = (page) => page.evaluate(() => Object.fromEntries(
  ['.site-header h1', '.tagline', 'label[for="domain-input"]', '#domain-input', '.domain-row button', '#domain-help', '.settings summary']
    .map((s) => { const r = document.querySelector(s)?.getBoundingClientRect(); return [s, r && [r.x, r.y, r.width, r.height].map(Math.round)]; }),
));

test('the form is on screen and works as a form before the wasm arrives', async () => {
  const { page, errors, release } = await heldPage();
  await page.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
  await page.locator('#domain-input').waitFor({ state: 'visible', timeout: 5000 });
  assert.equal(await page.locator('html').getAttribute('data-app-ready'), null, 'the app cannot be ready without its wasm');
  assert.ok(await page.locator('.site-header h1').isVisible());
  assert.ok(await page.locator('.domain-row button').isVisible());
  await page.screenshot({ path: `${ARTIFACTS}/first-paint-before-wasm.png` });
  // Submitting the HTML form goes to ?domain=, which the app reads once it runs.
  await page.locator('#domain-input').fill('good.test');
  await page.locator('#domain-input').press('Enter');
  await page.waitForURL((u) => u.searchParams.get('domain') === 'good.test', { timeout: 5000 });
  release();
  await ready(page);
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#report').getAttribute('data-verdict'), 'pass');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the app takes over the first view without moving it', async () => {
  const { page, errors, release } = await heldPage();
  await page.addInitScript(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__shifts.push(e.value); })
      .observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
  await page.locator('#domain-input').waitFor({ state: 'visible', timeout: 5000 });
  // The loader runs ahead of the stylesheet, so the document can be parsed before the
  // CSS has arrived; nothing is painted before it has, so that is what to compare with.
  await page.waitForFunction(() => document.styleSheets.length > 0);
  const before = await boxes(page);
  release();
  await ready(page);
  const after = await boxes(page);
  assert.deepEqual(after, before);
  const shifts = await page.evaluate(() => window.__shifts);
  assert.ok(shifts.reduce((a, b) => a + b, 0) < 0.001, `layout shifts: ${JSON.stringify(shifts)}`);
  await page.screenshot({ path: `${ARTIFACTS}/first-paint-after-wasm.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test('what the visitor typed before the app was ready stays, and so does the focus', async () => {
  const { page, errors, release } = await heldPage();
  await page.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
  await page.locator('#domain-input').waitFor({ state: 'visible', timeout: 5000 });
  await page.locator('#domain-input').click();
  await page.keyboard.type('postmaster@good.test');
  release();
  await ready(page);
  assert.equal(await page.locator('#domain-input').inputValue(), 'postmaster@good.test');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'domain-input');
  // The app's form handles the submit now: the e-mail address is normalized to its domain.
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('domain') === 'good.test', { timeout: 5000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('bad input sent by the HTML form gets its reason once the app runs', async () => {
  const { page, errors, release } = await heldPage();
  await page.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
  await page.locator('#domain-input').fill('not a domain!');
  await page.locator('#domain-input').press('Enter');
  await page.waitForURL((u) => u.searchParams.get('domain') === 'not a domain!', { timeout: 5000 });
  release();
  await ready(page);
  assert.equal(await page.locator('#domain-input').inputValue(), 'not a domain!');
  assert.notEqual((await page.locator('#domain-error').innerText()).trim(), '');
  assert.equal(await page.locator('#report').count(), 0, 'no check runs for it');
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a shared link, text typed while the app loads is not overwritten', async () => {
  const { page, errors, release } = await heldPage();
  await page.goto(`${BASE_URL}/?domain=good.test`, { waitUntil: 'domcontentloaded' });
  await page.locator('#domain-input').click();
  await page.keyboard.type('testing.test');
  release();
  await ready(page);
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  assert.equal(await page.locator('.verdict-domain').innerText(), 'good.test');
  assert.equal(await page.locator('#domain-input').inputValue(), 'testing.test');
  assert.deepEqual(errors, []);
  await page.close();
});

test('without JavaScript the form is still there, and the page says what the report needs', async () => {
  // Chromium's script switch (what Playwright uses) does not make the parser render
  // <noscript>, so its text is read from the served page and the rest is looked at.
  const html = await (await fetch(`${BASE_URL}/`)).text();
  const note = html.match(/<noscript>([\s\S]*?)<\/noscript>/)?.[1] ?? '';
  assert.match(note, /The report needs JavaScript and WebAssembly/);
  assert.match(note, /mtasts check example\.com/);
  const noScript = await launch({ javaScriptEnabled: false });
  try {
    const page = await noScript.context.newPage();
    await page.goto(`${BASE_URL}/`, { waitUntil: 'load' });
    assert.ok(await page.locator('#domain-input').isVisible());
    assert.ok(await page.locator('.domain-row button').isVisible());
    assert.equal(await page.locator('html').getAttribute('data-app-ready'), null);
    await page.screenshot({ path: `${ARTIFACTS}/first-paint-no-script.png` });
  } finally {
    await noScript.close();
  }
});

// The page's own files a page downloaded, by path, with whether each came over the wire.
const downloads = (page) => page.evaluate(() => performance.getEntriesByType('resource')
  .filter((e) => e.name.startsWith(location.origin) && /\.(js|wasm)$/.test(new URL(e.name).pathname))
  .map((e) => ({ path: new URL(e.name).pathname, wire: e.transferSize > 0 })));

test('the first page is the form alone; focusing it fetches the check, which the submit then finds in the cache', async () => {
  const cold = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH });
  try {
    const page = await cold.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${BASE_URL}/`);
    await ready(page);
    const first = await downloads(page);
    assert.ok(first.some((d) => /^\/mtasts-web-[0-9a-f]+_bg\.wasm$/.test(d.path)), JSON.stringify(first));
    assert.ok(!first.some((d) => d.path.startsWith('/check-')), `a first visit downloads no check: ${JSON.stringify(first)}`);
    // The visitor's first focus, on the domain field, prefetches the check's glue and wasm.
    const prefetched = Promise.all([/\/check-[0-9a-f]+\.js$/, /\/check-[0-9a-f]+_bg\.wasm$/]
      .map((re) => page.waitForResponse((r) => re.test(new URL(r.url()).pathname), { timeout: 10000 })));
    await page.locator('#domain-input').click();
    await prefetched;
    await page.locator('#domain-input').fill('good.test');
    await page.locator('#domain-input').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('domain') === 'good.test', { timeout: 5000 });
    await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#report').getAttribute('data-verdict'), 'pass');
    const second = await downloads(page);
    const check = second.filter((d) => d.path.startsWith('/check-'));
    assert.equal(check.length, 2, JSON.stringify(second));
    assert.ok(check.every((d) => !d.wire), `the check came from the cache: ${JSON.stringify(second)}`);
    assert.ok(!second.some((d) => d.path.startsWith('/mtasts-web-')), `the check's page loads no first-page build: ${JSON.stringify(second)}`);
    assert.deepEqual(errors, []);
  } finally {
    await cold.close();
  }
});

test('a shared link downloads the check and not the first page\'s build', async () => {
  const cold = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH });
  try {
    const page = await cold.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${BASE_URL}/?domain=good.test`);
    await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
    const got = (await downloads(page)).map((d) => d.path);
    assert.equal(got.filter((p) => /^\/check-[0-9a-f]+(_bg\.wasm|\.js)$/.test(p)).length, 2, JSON.stringify(got));
    assert.deepEqual(got.filter((p) => !p.startsWith('/check-')), [], 'nothing but the check\'s build');
    // Its resolver's TLS handshake started while the wasm downloaded.
    const preconnects = await page.evaluate(() => [...document.querySelectorAll('link[rel=preconnect]')].map((l) => l.href));
    assert.deepEqual(preconnects, [`${new URL(DOH).origin}/`]);
    assert.deepEqual(errors, []);
  } finally {
    await cold.close();
  }
});

test('a link that suggests a resolver gets no connection to it before consent', async () => {
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  const suggested = 'https://127.0.0.9:1/dns-query';
  const tried = [];
  page.on('request', (r) => { if (r.url().startsWith('https://127.0.0.9')) tried.push(r.url()); });
  await page.goto(`${BASE_URL}/?domain=good.test&resolver=${encodeURIComponent(suggested)}`);
  await page.locator('.link-consent').waitFor({ timeout: 20000 });
  const preconnects = await page.evaluate(() => [...document.querySelectorAll('link[rel=preconnect]')].map((l) => l.href));
  assert.deepEqual(preconnects, [`${new URL(DOH).origin}/`], 'only the visitor\'s own resolver');
  assert.deepEqual(tried, []);
  assert.deepEqual(errors, []);
  await page.close();
});
