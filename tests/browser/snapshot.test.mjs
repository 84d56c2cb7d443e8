// Snapshot links and the history of checks: a finished report carried in the link's
// fragment, opened read-only in a fresh browser; the last checks kept in localStorage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { BASE_URL, ARTIFACTS, launch, watchErrors } from './lib.mjs';

const DOH = process.env.MTASTS_DOH;
let browser;
before(async () => { browser = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH }); });
after(async () => { await browser?.close(); });

async function open(b, url) {
  const page = await b.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const errors = watchErrors(page);
  await page.goto(url, { waitUntil: 'load' });
  await page.locator('html[data-app-ready="true"]').waitFor({ timeout: 20000 });
  return { page, errors };
}

// What a reader compares between the live report and its snapshot.
const facts = (page) => page.evaluate(() => ({
  domain: document.querySelector('.verdict-domain').textContent,
  verdict: document.querySelector('#report').dataset.verdict,
  summary: document.querySelector('.verdict-summary').textContent,
  steps: [...document.querySelectorAll('li.step')].map((s) => s.dataset.outcome),
  mx: [...document.querySelectorAll('tr[data-mx]')].map((r) => [r.dataset.mx, r.dataset.tls, r.dataset.matched]),
  findings: [...document.querySelectorAll('.all-findings li[data-code]')].map((f) => f.dataset.code),
  senders: [...document.querySelectorAll('tr[data-sender]')].map((s) => [s.dataset.sender, s.dataset.outcome]),
  sha: document.querySelector('[data-policy-sha256]')?.dataset.policySha256 ?? null,
}));

async function share(page) {
  await page.locator('#share').click();
  const field = page.locator('input[data-snapshot-link]');
  await field.waitFor({ timeout: 10000 });
  return field.inputValue();
}

test('a snapshot link carries the finished report and opens read-only in a fresh browser', async () => {
  const { page } = await open(browser, `${BASE_URL}/?domain=mx-mismatch.test`);
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  const live = await facts(page);
  const url = await share(page);
  assert.ok(url.startsWith(`${BASE_URL}/?snapshot#`), url);
  // Short enough to paste into a chat or a ticket.
  console.log(`snapshot link of mx-mismatch.test (2 MX, 7 findings): ${url.length} characters`);
  assert.ok(url.length < 4000, `${url.length} characters`);
  await page.close();

  // Another browser, with nothing remembered: only the link.
  const other = await launch({ ignoreHTTPSErrors: true });
  try {
    const p = await other.context.newPage();
    const errors = watchErrors(p);
    const sent = [];
    p.on('request', (r) => { if (/dns-query|\/api\//.test(r.url())) sent.push(r.url()); });
    await p.goto(url, { waitUntil: 'load' });
    await p.locator('.snapshot-banner').waitFor({ timeout: 20000 });
    await p.locator('#report[data-state="done"]').waitFor();
    const shown = await facts(p);
    assert.deepEqual(shown, live, 'the snapshot shows what the live check showed');
    const taken = await p.locator('.snapshot-banner').getAttribute('data-snapshot-taken');
    assert.match(taken, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Math.abs(Date.parse(taken) - Date.now()) < 10 * 60 * 1000, taken);
    assert.match(await p.locator('.snapshot-banner').innerText(), /Read-only/);
    assert.deepEqual(sent, [], 'opening a snapshot checks nothing again');
    await p.screenshot({ path: `${ARTIFACTS}snapshot.png`, fullPage: true });
    assert.deepEqual(errors.filter((e) => !e.includes('integrity')), []);
    // "Run again" starts the live check of the same domain (with this browser's own
    // resolver, which cannot be reached here: the check itself is not what is tested).
    await p.locator('#run-again').click();
    await p.waitForURL(/\?domain=mx-mismatch\.test$/);
    await p.locator('html[data-app-ready="true"]').waitFor({ timeout: 20000 });
    assert.equal(await p.locator('.snapshot-banner').count(), 0);
    await p.locator('#report').waitFor();
  } finally {
    await other.close();
  }
});

test('an edited snapshot cannot smuggle parameters into "Run again"', async () => {
  const { page } = await open(browser, `${BASE_URL}/?domain=good.test`);
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  const url = await share(page);
  await page.close();
  const report = JSON.parse(inflateRawSync(Buffer.from(url.split('#')[1], 'base64url')).toString());
  report.domain = 'good.test&companion=https://evil.example&draft=x';
  const forged = `${BASE_URL}/?snapshot#${deflateRawSync(Buffer.from(JSON.stringify(report))).toString('base64url')}`;
  const { page: p } = await open(browser, forged);
  await p.locator('.snapshot-banner').waitFor({ timeout: 20000 });
  assert.match(await p.locator('.snapshot-banner').innerText(), /could have altered it/);
  const again = new URL(await p.locator('#run-again').getAttribute('href'), BASE_URL);
  assert.deepEqual([...again.searchParams.keys()], ['domain']);
  assert.equal(again.searchParams.get('domain'), report.domain);
  await p.close();
});

test('a report of 25 MX hosts still makes a link a browser and a chat take', async () => {
  const { page } = await open(browser, `${BASE_URL}/?domain=load.test`);
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 60000 });
  const url = await share(page);
  console.log(`snapshot link of load.test (25 MX): ${url.length} characters`);
  assert.ok(url.length < 32000, `${url.length} characters`);
  await page.close();
});

test('a damaged or cut-off snapshot link says so, and shows nothing else', async () => {
  for (const [fragment, says] of [
    ['', /carries no report/],
    ['#not!base64', /damaged/],
    ['#AAAA', /damaged/],
    // Valid deflate of text that is not a report: "hello".
    ['#y0jNyckHAA', /does not hold a report/],
    // 3 KB that inflate to 3 MiB: reading stops at 2 MiB.
    [`#${deflateRawSync(Buffer.alloc(3 << 20)).toString('base64url')}`, /more than 2 MiB/],
  ]) {
    const { page } = await open(browser, `${BASE_URL}/?snapshot${fragment}`);
    const error = page.locator('[data-snapshot-error]');
    await error.waitFor({ timeout: 10000 });
    assert.match(await error.innerText(), says, fragment);
    assert.equal(await page.locator('#report').count(), 0);
    await page.close();
  }
});

test('the last checks are listed under the form, latest first, with their snapshots', async () => {
  const b = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH });
  try {
    for (const domain of ['good.test', 'policy-404.test', 'good.test']) {
      const { page } = await open(b, `${BASE_URL}/?domain=${domain}`);
      await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
      // The entry is written once the snapshot link is made.
      await page.waitForFunction((d) => (localStorage.getItem('mtasts.history') || '').includes(`"domain":"${d}"`) &&
        JSON.parse(localStorage.getItem('mtasts.history'))[0].domain === d, domain);
      await page.close();
    }
    const { page } = await open(b, `${BASE_URL}/`);
    const rows = page.locator('.history li');
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.history)), ['good.test', 'policy-404.test'],
      'each domain once, the latest first');
    assert.match(await rows.nth(0).innerText(), /pass/);
    assert.match(await rows.nth(1).innerText(), /fail/);
    await page.screenshot({ path: `${ARTIFACTS}history.png`, fullPage: true });
    const snapshot = await rows.nth(1).locator('a.history-snapshot').getAttribute('href');
    assert.ok(snapshot.includes('/?snapshot#'), snapshot);
    await page.locator('#clear-history').click();
    assert.equal(await page.locator('.history').count(), 0);
    await page.reload();
    await page.locator('html[data-app-ready="true"]').waitFor({ timeout: 20000 });
    assert.equal(await page.locator('.history').count(), 0, 'forgotten for good');
    // The snapshot link still opens: it needs nothing from this browser.
    await page.goto(snapshot);
    await page.locator('.snapshot-banner').waitFor({ timeout: 20000 });
    assert.equal(await page.locator('#report').getAttribute('data-verdict'), 'fail');
  } finally {
    await b.close();
  }
});
