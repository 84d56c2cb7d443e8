// The live check in a real browser, against the test world: DNS from the page over DoH,
// the policy and the probes through the companion that serves the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { BASE_URL, ARTIFACTS, launch, watchErrors } from './lib.mjs';

const DOH = process.env.MTASTS_DOH;
let browser;
before(async () => { browser = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH }); });
after(async () => { await browser?.close(); });

const link = (domain, extra = '') =>
  `${BASE_URL}/?domain=${encodeURIComponent(domain)}&resolver=${encodeURIComponent(DOH)}${extra}`;

async function open(url, { width = 1280, height = 900 } = {}) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  const errors = watchErrors(page);
  await page.goto(url, { waitUntil: 'load' });
  // The app renders once the wasm has loaded; tests start from the rendered page.
  await page.locator('html[data-app-ready="true"]').waitFor({ timeout: 20000 });
  return { page, errors };
}

async function finished(page) {
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  return page.evaluate(() => ({
    verdict: document.querySelector('#report').dataset.verdict,
    mx: [...document.querySelectorAll('tr[data-mx]')].map((r) => [r.dataset.mx, r.dataset.tls, r.dataset.matched]),
    url: location.search,
  }));
}

// Each scenario's verdict and MX rows, as `mtasts check` reports them for the same world.
const SCENARIOS = {
  'good.test': ['pass', [['mx1.good.test', 'ok', 'true'], ['mx2.good.test', 'ok', 'true']]],
  'testing.test': ['warn', [['mx1.testing.test', 'ok', 'true']]],
  'no-txt.test': ['none', [['mx1.no-txt.test', 'ok', 'false']]],
  'policy-404.test': ['fail', [['mx1.policy-404.test', 'ok', 'false']]],
  'mx-mismatch.test': ['fail', [['mx1.mx-mismatch.test', 'ok', 'true'], ['mx2.mx-mismatch.test', 'ok', 'false']]],
  'mx-expired.test': ['fail', [['mx1.mx-expired.test', 'certificate-expired', 'true']]],
  'no-starttls.test': ['fail', [['mx1.no-starttls.test', 'starttls-not-supported', 'true']]],
  'wildcard.test': ['fail', [['a.wildcard.test', 'ok', 'true'], ['b.deep.wildcard.test', 'ok', 'false']]],
  'all-refuse.test': ['fail', [['mx1.all-refuse.test', 'connect-failed', 'true'], ['mx2.all-refuse.test', 'connect-failed', 'true']]],
  'port25-filtered.test': ['inconclusive', [['mx1.port25-filtered.test', 'connect-timeout', 'true']]],
  'tlsrpt-invalid.test': ['warn', [['mx1.tlsrpt-invalid.test', 'ok', 'true']]],
};

// The step outcomes the core decided, as the page shows them.
const outcomes = (page) => page.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.outcome));

for (const [domain, [verdict, mx]] of Object.entries(SCENARIOS)) {
  test(`a shared link runs the check of ${domain}`, async () => {
    const { page, errors } = await open(link(domain));
    const got = await finished(page);
    assert.equal(got.verdict, verdict);
    assert.deepEqual(got.mx, mx);
    assert.deepEqual(errors.filter((e) => !e.includes('integrity')), []);
    if (domain === 'good.test') {
      // The digest next to the id is of the policy as served (the lines the page shows).
      const lines = await page.locator('.policy-text .pline code').allInnerTexts();
      const served = `${lines.join('\n')}\n`;
      const sha = await page.locator('[data-policy-sha256]').getAttribute('data-policy-sha256');
      assert.equal(sha, createHash('sha256').update(served).digest('hex'));
    }
    if (domain === 'mx-mismatch.test') {
      await page.screenshot({ path: `${ARTIFACTS}check-desktop.png`, fullPage: true });
    }
    await page.close();
  });
}

test('the report shows the steps, the senders and the findings with their fixes', async () => {
  const { page } = await open(link('mx-expired.test'));
  await finished(page);
  const steps = await page.locator('li.step').evaluateAll((els) => els.map((e) => e.dataset.stepState));
  assert.deepEqual(steps, ['done', 'done', 'done', 'done']);
  assert.deepEqual(await outcomes(page), ['ok', 'ok', 'ok', 'fail']);
  assert.match(await page.locator('li.step[data-step="tls"] .step-state').innerText(), /failed/i);
  assert.match(await page.locator('tr[data-mx="mx1.mx-expired.test"]').innerText(), /refuse/);
  assert.match(await page.locator('tr[data-mx="mx1.mx-expired.test"]').innerText(), /certificate-expired/);
  const finding = page.locator('.all-findings li[data-code="mx.cert.expired"]');
  assert.match(await finding.innerText(), /Fix: Renew the certificate/);
  assert.equal(await finding.locator('a.rfc').getAttribute('href'), 'https://www.rfc-editor.org/rfc/rfc8461#section-4.2');
  assert.match(await page.locator('.verdict-banner').innerText(), /FAIL/i);
  await page.close();
});

test('what people paste is normalized, and the URL follows', async () => {
  const { page } = await open(`${BASE_URL}/?resolver=${encodeURIComponent(DOH)}`);
  for (const [typed, domain] of [
    ['https://Good.TEST/some/path', 'good.test'],
    ['postmaster@testing.test', 'testing.test'],
    ['  No-TXT.test.  ', 'no-txt.test'],
  ]) {
    await page.locator('#domain-input').fill(typed);
    await page.locator('#domain-input').press('Enter');
    await page.waitForFunction((d) => new URLSearchParams(location.search).get('domain') === d, domain);
    const got = await finished(page);
    assert.equal(new URLSearchParams(got.url).get('resolver'), null, 'a typed check uses the user\'s own settings');
    assert.equal(await page.locator('.verdict-domain').innerText(), domain);
  }
  await page.close();
});

test('bad input gets a specific message and sends nothing', async () => {
  const { page } = await open(`${BASE_URL}/?resolver=${encodeURIComponent(DOH)}`);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  for (const [typed, words] of [
    ['192.0.2.1', /IP address/],
    ['localhost', /single label/],
    ['exa mple.com', /not a domain name/],
    ['', /enter a domain/],
  ]) {
    await page.locator('#domain-input').fill(typed);
    await page.locator('#domain-input').press('Enter');
    await page.waitForFunction(() => document.querySelector('#domain-error').textContent.length > 0);
    assert.match(await page.locator('#domain-error').innerText(), words);
    assert.equal(await page.locator('#domain-input').getAttribute('aria-invalid'), 'true');
  }
  // Focusing the field prefetches the check's own code (see first-paint.test.mjs); nothing
  // else, and nothing about what was typed, is requested.
  const own = /^[^?]*\/check-[0-9a-f]+(_bg\.wasm|\.js)$/;
  assert.deepEqual(requests.filter((u) => !own.test(u)), [], 'no request left the page');
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('domain'), null);
  await page.close();
});

test('the policy host offers its parent, and Unicode names show both forms', async () => {
  const { page } = await open(`${BASE_URL}/?resolver=${encodeURIComponent(DOH)}`);
  await page.locator('#domain-input').fill('mta-sts.good.test');
  await page.locator('#domain-input').press('Enter');
  await page.getByRole('button', { name: 'Check good.test instead' }).click();
  await page.waitForFunction(() => new URLSearchParams(location.search).get('domain') === 'good.test');
  assert.equal((await finished(page)).verdict, 'pass');

  await page.locator('#domain-input').fill('Bücher.test');
  await page.locator('#domain-input').press('Enter');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('domain') === 'xn--bcher-kva.test');
  const got = await finished(page);
  assert.equal(got.verdict, 'none');
  assert.equal(await page.locator('.verdict-domain').innerText(), 'bücher.test (xn--bcher-kva.test)');
  await page.close();
});

test('back, forward and reload show the check the URL names', async () => {
  const { page } = await open(link('good.test'));
  assert.equal((await finished(page)).verdict, 'pass');
  await page.locator('#domain-input').fill('mx-expired.test');
  await page.locator('#domain-input').press('Enter');
  await page.waitForFunction(() => document.querySelector('#report')?.dataset.verdict === 'fail');
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('#report')?.dataset.verdict === 'pass');
  assert.equal(await page.locator('.verdict-domain').innerText(), 'good.test');
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('#report')?.dataset.verdict === 'fail');
  await page.reload();
  assert.equal((await finished(page)).verdict, 'fail');
  await page.close();
});

test('without the companion the DNS steps still run, and the verdict is inconclusive, not fail', async () => {
  const { page } = await open(link('good.test', '&companion=https%3A%2F%2F127.0.0.1%3A9'));
  await page.locator('#consent-accept').click();
  const got = await finished(page);
  assert.equal(got.verdict, 'inconclusive');
  assert.deepEqual(got.mx.map((m) => m[1]), ['unchecked', 'unchecked']);
  assert.match(await page.locator('.verdict-summary').innerText(), /companion service could not be reached/);
  assert.match(await page.locator('.verdict-label').innerText(), /^inconclusive$/i);
  assert.doesNotMatch(await page.locator('.verdict-summary').innerText(), /broken/i);
  assert.equal(await page.locator('.all-findings li.error').count(), 0, 'no error-level finding');
  assert.deepEqual(await outcomes(page), ['ok', 'inconclusive', 'skipped', 'inconclusive']);
  assert.match(await page.locator('li.step').first().innerText(), /advertises a policy/);
  await page.screenshot({ path: `${ARTIFACTS}companion-unreachable.png`, fullPage: true });
  await page.close();
});

test('an unreachable resolver is the tester\'s blind spot: inconclusive, and nothing blamed on the domain', async () => {
  const { page } = await open(`${BASE_URL}/?domain=good.test&resolver=${encodeURIComponent('https://127.0.0.1:9/dns-query')}`);
  await page.locator('#consent-accept').click();
  const got = await finished(page);
  assert.equal(got.verdict, 'inconclusive');
  const summary = await page.locator('.verdict-summary').innerText();
  assert.match(summary, /resolver could not answer/);
  assert.match(summary, /Try another DNS-over-HTTPS resolver/);
  assert.equal(await page.locator('.all-findings li.error').count(), 0, 'no error-level finding');
  assert.equal((await outcomes(page))[0], 'inconclusive');
  assert.equal((await outcomes(page))[3], 'skipped');
  await page.screenshot({ path: `${ARTIFACTS}resolver-unreachable.png`, fullPage: true });
  await page.close();
});

test('a policy 404 and MX hosts that all refuse are the domain\'s faults, said in plain words', async () => {
  let { page } = await open(link('policy-404.test'));
  await finished(page);
  assert.match(await page.locator('.verdict-summary').innerText(), /no cached policy deliver without MTA-STS protection/);
  assert.deepEqual(await outcomes(page), ['ok', 'fail', 'skipped', 'ok']);
  assert.match(await page.locator('tr[data-mx="mx1.policy-404.test"]').innerText(), /cached an earlier policy/);
  await page.screenshot({ path: `${ARTIFACTS}policy-404.png`, fullPage: true });
  await page.close();

  ({ page } = await open(link('all-refuse.test')));
  await finished(page);
  assert.match(await page.locator('.verdict-summary').innerText(), /cannot be delivered at all/);
  assert.deepEqual(await outcomes(page), ['ok', 'ok', 'ok', 'fail']);
  await page.screenshot({ path: `${ARTIFACTS}all-mx-refuse.png`, fullPage: true });
  await page.close();
});

test('servers a link suggests are used only after a click, for that check only', async () => {
  const elsewhere = 'https://127.0.0.1:9';
  const { page } = await open(link('good.test', `&companion=${encodeURIComponent(elsewhere)}`));
  const toElsewhere = [];
  page.on('request', (r) => { if (r.url().startsWith(elsewhere)) toElsewhere.push(r.url()); });
  const consent = page.locator('.link-consent');
  await consent.waitFor();
  assert.match(await consent.innerText(), /companion service 127\.0\.0\.1:9/);
  await page.screenshot({ path: `${ARTIFACTS}link-consent.png` });
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#report').count(), 0, 'no check before the click');
  assert.deepEqual(toElsewhere, [], 'nothing sent to the suggested host');

  // Declining checks with the user's own settings and drops the suggestion from the URL.
  await page.locator('#consent-decline').click();
  assert.equal((await finished(page)).verdict, 'pass');
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('companion'), null);
  assert.deepEqual(toElsewhere, []);

  // Accepting uses the suggested companion for that check, and says so; the next check
  // the user starts goes back to their own.
  await page.goto(link('good.test', `&companion=${encodeURIComponent(elsewhere)}`));
  await page.locator('#consent-accept').click();
  assert.equal((await finished(page)).verdict, 'inconclusive');
  assert.ok(toElsewhere.length > 0, 'the accepted companion was asked');
  assert.match(await page.locator('.link-servers').innerText(), /chosen by the link/);
  const before = toElsewhere.length;
  await page.locator('#domain-input').fill('testing.test');
  await page.locator('#domain-input').press('Enter');
  assert.equal((await finished(page)).verdict, 'warn');
  assert.equal(toElsewhere.length, before, 'a later check does not use the link\'s companion');
  await page.close();
});

test('the senders panel says what each implementation does, and marks where it differs', async () => {
  const { page, errors } = await open(link('bad-id.test'));
  await finished(page);
  const rows = await page.locator('.senders-table tr[data-sender]').evaluateAll((els) => els.map((e) => [
    e.dataset.sender, e.dataset.outcome, e.classList.contains('differs'),
  ]));
  assert.ok(rows.length >= 7, `${rows.length} senders`);
  assert.deepEqual(rows[0], ['rfc8461', 'deliver-unverified', false]);
  assert.deepEqual(rows.find((r) => r[0] === 'postfix-mta-sts-resolver'), ['postfix-mta-sts-resolver', 'deliver-verified', true]);
  assert.deepEqual(rows.find((r) => r[0] === 'mox'), ['mox', 'deliver-unverified', false]);
  assert.match(await page.locator('tr[data-sender="mox"]').innerText(), /strict parser/);
  await page.locator('.senders').screenshot({ path: `${ARTIFACTS}senders-light.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('.senders').screenshot({ path: `${ARTIFACTS}senders-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 360, height: 780 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await page.locator('.senders').screenshot({ path: `${ARTIFACTS}senders-phone.png` });
  assert.deepEqual(errors.filter((e) => !e.includes('integrity')), []);
  await page.close();
});

test('DNS-over-HTTPS GETs carry exactly the RFC 8484 query, nothing after it', async () => {
  const { page } = await open(`${BASE_URL}/?resolver=${encodeURIComponent(DOH)}`);
  const doh = [];
  page.on('request', (r) => { if (r.url().startsWith(DOH)) doh.push(r.url()); });
  await page.locator('#domain-input').fill('good.test');
  await page.locator('#domain-input').press('Enter');
  await finished(page);
  assert.ok(doh.length >= 3, `the page resolved over DoH: ${doh.length} requests`);
  for (const url of doh) assert.match(url, /\/dns-query\?dns=[A-Za-z0-9_-]+$/, url);
  await page.close();
});

test('export: Markdown to the clipboard, JSON as a download', async () => {
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
  const { page } = await open(link('mx-mismatch.test'));
  await finished(page);
  await page.getByRole('button', { name: 'Copy Markdown' }).click();
  await page.waitForFunction(() => document.querySelector('.export-status').textContent.includes('Markdown'));
  const md = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(md, /^# MTA-STS check of mx-mismatch\.test: FAIL/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
  assert.equal(download.suggestedFilename(), 'mta-sts-mx-mismatch.test.json');
  const report = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(report.verdict, 'fail');
  assert.equal(report.mx[1].sender, 'refuse');
  await page.close();
});

test('phone width, dark mode and an accessibility scan', async () => {
  const { page } = await open(link('mx-mismatch.test'), { width: 360, height: 780 });
  await finished(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await page.screenshot({ path: `${ARTIFACTS}check-phone.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${ARTIFACTS}check-phone-dark.png`, fullPage: true });
  await page.close();

  // axe-core is injected as an inline script, which the page's CSP rightly forbids, so
  // this one scan runs in a browser profile that bypasses CSP.
  const scanner = await launch({ ignoreHTTPSErrors: true, bypassCSP: true }, { resolver: DOH });
  const p2 = await scanner.context.newPage();
  await p2.goto(link('mx-mismatch.test'));
  await p2.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  await p2.addScriptTag({ path: new URL('../../node_modules/axe-core/axe.min.js', import.meta.url).pathname });
  const result = await p2.evaluate(() => axe.run(document));
  assert.ok(result.passes.length > 10, 'axe ran its rules');
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.length} (${v.help})`), []);
  console.log(`axe: ${result.passes.length} rules pass, violations: ${result.violations.map((v) => `${v.id}/${v.impact}`).join(', ') || 'none'}`);
  await p2.close();
  await scanner.close();
});

test('the keyboard alone runs a check', async () => {
  const { page } = await open(`${BASE_URL}/?resolver=${encodeURIComponent(DOH)}`);
  // The app renders after the wasm loads; only then is there anything to tab to.
  await page.locator('html[data-app-ready="true"]').waitFor();
  // The first Tab reaches the skip link; the domain field follows within a few more.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  let tabs = 1;
  while (tabs < 5 && (await page.evaluate(() => document.activeElement.id)) !== 'domain-input') {
    await page.keyboard.press('Tab');
    tabs += 1;
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'domain-input', `not reached in ${tabs} tabs`);
  await page.keyboard.type('good.test');
  await page.keyboard.press('Enter');
  assert.equal((await finished(page)).verdict, 'pass');
  await page.close();
});
