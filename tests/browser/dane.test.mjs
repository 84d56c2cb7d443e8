// DNSSEC badges and the DANE line per MX host in a real browser: the page asks the world's
// DoH resolver with DO set and reads AD and Extended DNS Errors itself; the companion's probe
// brings the certificate digests the core matches against the TLSA records.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, ARTIFACTS, launch, watchErrors } from './lib.mjs';

const DOH = process.env.MTASTS_DOH;
let browser;
before(async () => { browser = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH }); });
after(async () => { await browser?.close(); });

const link = (domain) =>
  `${BASE_URL}/?domain=${encodeURIComponent(domain)}&resolver=${encodeURIComponent(DOH)}`;

async function check(domain, viewport = { width: 1280, height: 1000 }) {
  const page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  const errors = watchErrors(page);
  await page.goto(link(domain), { waitUntil: 'load' });
  await page.locator('html[data-app-ready="true"]').waitFor({ timeout: 20000 });
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  const facts = await page.evaluate(() => ({
    verdict: document.querySelector('#report').dataset.verdict,
    badges: [...document.querySelectorAll('.facts [data-dnssec]')].map((b) => b.dataset.dnssec),
    dane: [...document.querySelectorAll('tr[data-mx] [data-dane]')].map((d) => d.dataset.dane),
    daneText: document.querySelector('tr[data-mx] .dane')?.textContent ?? '',
    findings: [...document.querySelectorAll('[data-code]')].map((f) => f.dataset.code),
  }));
  return { page, errors, facts };
}

test('a DANE mismatch after a key change shows on the MX row, with the record to publish', async () => {
  const { page, errors, facts } = await check('dane-mismatch.test');
  assert.equal(facts.verdict, 'fail');
  assert.deepEqual(facts.badges, ['secure', 'secure', 'secure'], 'the three look-ups are validated');
  assert.deepEqual(facts.dane, ['mismatch']);
  assert.ok(facts.findings.includes('mx.dane.mismatch'), facts.findings.join(' '));
  assert.match(await page.locator('#report').innerText(), /IN TLSA 3 1 1 [0-9a-f]{64}/);
  await page.screenshot({ path: `${ARTIFACTS}dane-mismatch.png`, fullPage: true });
  assert.deepEqual(errors.filter((e) => !e.includes('integrity')), []);
  await page.close();
});

test('a matching record, an unsigned zone and a broken signature each say so', async () => {
  const ok = await check('dane-ok.test');
  assert.equal(ok.facts.verdict, 'pass');
  assert.deepEqual(ok.facts.dane, ['ok']);
  assert.match(ok.facts.daneText, /matches the server's certificate/);
  await ok.page.close();

  const unsigned = await check('dane-unsigned.test');
  assert.deepEqual(unsigned.facts.badges, ['insecure', 'insecure', 'insecure']);
  assert.deepEqual(unsigned.facts.dane, ['insecure']);
  await unsigned.page.close();

  const bogus = await check('dane-bogus.test', { width: 390, height: 900 });
  assert.equal(bogus.facts.verdict, 'fail');
  assert.deepEqual(bogus.facts.dane, ['bogus']);
  assert.ok(bogus.facts.findings.includes('mx.dane.bogus'));
  await bogus.page.screenshot({ path: `${ARTIFACTS}dane-bogus-phone.png`, fullPage: true });
  await bogus.page.close();
});
