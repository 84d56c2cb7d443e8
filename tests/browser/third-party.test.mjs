// The page against servers that are not ours: DNS from Debian's unbound over DNS-over-HTTPS
// (behind nginx, which adds the CORS header), the companion resolving through the same
// unbound, and nginx as the policy host of the nginx-*.test domains. unbound answers
// FORMERR to a GET with anything after the RFC 8484 query, which our own DoH server
// tolerated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, launch, watchErrors } from './lib.mjs';

const BASE = process.env.MTASTS_THIRD_PARTY_URL;
const DOH = process.env.MTASTS_THIRD_PARTY_DOH;
if (!BASE || !DOH) throw new Error('the third-party lane is not set; run the browser tests through `cargo xtask test`');

let browser;
before(async () => { browser = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH }); });
after(async () => { await browser?.close(); });

const EXPECT = {
  'good.test': ['pass', ['ok', 'ok', 'ok', 'ok']],
  'nginx-good.test': ['pass', ['ok', 'ok', 'ok', 'ok']],
  'nginx-404.test': ['fail', ['ok', 'fail', 'skipped', 'ok']],
  'mx-mismatch.test': ['fail', ['ok', 'ok', 'fail', 'ok']],
  'no-txt.test': ['none', ['warn', 'skipped', 'skipped', 'ok']],
  'cname-txt.test': ['pass', ['ok', 'ok', 'ok', 'ok']],
};

for (const [domain, [verdict, steps]] of Object.entries(EXPECT)) {
  test(`${domain} through unbound and nginx`, async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const doh = [];
    page.on('request', (r) => { if (r.url().startsWith(DOH)) doh.push(r.url()); });
    await page.goto(`${BASE}/?domain=${encodeURIComponent(domain)}&resolver=${encodeURIComponent(DOH)}`);
    await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
    const got = await page.evaluate(() => ({
      verdict: document.querySelector('#report').dataset.verdict,
      steps: [...document.querySelectorAll('li.step')].map((e) => e.dataset.outcome),
    }));
    assert.equal(got.verdict, verdict, await page.locator('.verdict-summary').innerText());
    assert.deepEqual(got.steps, steps);
    assert.ok(doh.length >= 3, 'the page resolved through the lane');
    assert.deepEqual(errors.filter((e) => !e.includes('integrity')), []);
    if (domain === 'nginx-good.test') await page.screenshot({ path: `${ARTIFACTS}third-party-good.png`, fullPage: true });
    await page.close();
  });
}

test('compare resolvers: unbound and the world\'s own DoH side by side, a finding where they differ', async () => {
  const world = process.env.MTASTS_DOH;
  assert.ok(world, 'MTASTS_DOH is set');
  for (const [domain, differ] of [['good.test', false], ['nginx-good.test', true]]) {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${BASE}/?domain=${encodeURIComponent(domain)}&resolver=${encodeURIComponent(DOH)}`);
    await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
    await page.locator('.compare-resolvers summary').click();
    await page.locator("#compare-urls").fill(world);
    await page.getByRole('button', { name: 'Compare' }).click();
    const rows = page.locator('.resolver-table tr[data-resolver]');
    await rows.nth(1).waitFor({ timeout: 20000 });
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.resolver)), [DOH, world]);
    assert.equal(await page.locator('#compare-urls').inputValue(), world, 'what was typed stays');
    const finding = page.locator('.compare-resolvers li[data-code="dns.resolvers.differ"]');
    assert.equal(await finding.count(), differ ? 2 : 0, domain);
    if (differ) {
      assert.match(await finding.first().innerText(), /_mta-sts\.nginx-good\.test/);
      assert.match(await rows.nth(0).innerText(), /v=STSv1; id=20261201T000000/);
      await page.screenshot({ path: `${ARTIFACTS}compare-resolvers.png`, fullPage: false });
    } else {
      assert.match(await page.locator('.compare-resolvers').innerText(), /They agree/);
    }
    assert.deepEqual(errors.filter((e) => !e.includes('integrity')), []);
    await page.close();
  }
});
