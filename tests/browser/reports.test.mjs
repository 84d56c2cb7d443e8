// The Reports view: TLS-RPT reports dropped into the page are read by its wasm, summarized
// and explained, with no request sent; the comparison with a live check is a page of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { BASE_URL, ARTIFACTS, launch, watchErrors } from './lib.mjs';

const DOH = process.env.MTASTS_DOH;
const sample = (name) => readFileSync(new URL(`../../core/tests/reports/${name}`, import.meta.url));
const RFC = sample('rfc8460-appendix-b.json');
const GOOGLE = sample('google-style.json');
const MICROSOFT = sample('microsoft-style.json');

function eml(gz, domain) {
  const b64 = gz.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from([
    'From: noreply-smtp-tls-reporting@google.com',
    `Subject: Report Domain: ${domain} Submitter: google.com Report-ID: <1@google.com>`,
    `TLS-Report-Domain: ${domain}`,
    'TLS-Report-Submitter: google.com',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type="tlsrpt"; boundary="b"',
    '', '--b', 'Content-Type: text/plain', '', 'An aggregate TLS report.', '--b',
    'Content-Type: application/tlsrpt+gzip', 'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="google.com!x!1!2.json.gz"', '', b64, '--b--', '',
  ].join('\r\n'));
}

function expiredReport(domain, day) {
  return Buffer.from(JSON.stringify({
    'organization-name': 'Google Inc.',
    'date-range': { 'start-datetime': `${day}T00:00:00Z`, 'end-datetime': `${day}T23:59:59Z` },
    'contact-info': 'smtp-tls-reporting@google.com',
    'report-id': `${day}_${domain}`,
    policies: [{
      policy: { 'policy-type': 'sts', 'policy-string': ['version: STSv1', 'mode: enforce', `mx: mx1.${domain}`, 'max_age: 86400'], 'policy-domain': domain },
      summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 7 },
      'failure-details': [{ 'result-type': 'certificate-expired', 'receiving-mx-hostname': `mx1.${domain}`, 'sending-mta-ip': '209.85.220.41', 'failed-session-count': 7 }],
    }],
  }));
}

let browser;
before(async () => { browser = await launch({ ignoreHTTPSErrors: true }, { resolver: DOH }); });
after(async () => { await browser?.close(); });

async function open(url) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const errors = watchErrors(page);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  await page.locator('html[data-app-ready="true"]').waitFor({ timeout: 20000 });
  return { page, errors, requests };
}

test('dropped reports are summarized and explained, and nothing is sent', async () => {
  const first = await open(`${BASE_URL}/`);
  assert.equal(await first.page.locator('#open-reports').getAttribute('href'), '/?reports');
  assert.ok(!first.requests.some((u) => u.includes('/reports-')), 'the first page does not load the Reports build');
  await first.page.close();

  const { page, errors, requests } = await open(`${BASE_URL}/?reports`);
  assert.ok(requests.some((u) => u.includes('/reports-') && u.endsWith('_bg.wasm')), 'the Reports build loads');
  assert.match(await page.locator('#privacy').innerText(), /Nothing is uploaded/);
  const loaded = requests.length;

  // Picked with the file chooser: a gzip file, a saved e-mail, plain JSON and a stray file.
  await page.locator('#report-files').setInputFiles([
    { name: 'rfc.json.gz', mimeType: 'application/gzip', buffer: gzipSync(RFC) },
    { name: 'google.eml', mimeType: 'message/rfc822', buffer: eml(gzipSync(GOOGLE), 'good.test') },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
  ]);
  await page.locator('#reports-summary').waitFor({ timeout: 10000 });
  // Dropped onto the drop zone, as a visitor drags files from a mail client or a folder.
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'microsoft.json', { type: 'application/json' }));
    document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, MICROSOFT.toString());
  await page.waitForFunction(() => /^3 reports from 3 reporters/.test(document.querySelector('#reports-headline')?.innerText || ''));
  const headline = await page.locator('#reports-headline').innerText();
  assert.match(headline, /3 reports from 3 reporters: 5835 sessions succeeded, 307 failed \(5\.0% failed\)/);

  const rows = async (id) => page.locator(`#${id} tbody tr`).allInnerTexts();
  assert.equal((await rows('by-reporter')).length, 3);
  assert.ok((await rows('by-day')).some((r) => /2016-04-01\s+5326\s+303/.test(r)), (await rows('by-day')).join('\n'));
  assert.ok((await rows('by-mx')).some((r) => /mx1\.good\.test\s+97\s+4/.test(r)));
  assert.equal(await page.locator('.day-chart rect.failed[height]').count(), 3);
  const expired = page.locator('[data-result-type="certificate-expired"]');
  assert.match(await expired.innerText(), /104 failed/i);
  assert.match(await expired.innerText(), /Renew the certificate/);
  assert.equal(await page.locator('[data-result-type="starttls-not-supported"]').count(), 1);
  const files = await page.locator('#report-files-list > li').allInnerTexts();
  assert.equal(files.length, 4);
  assert.ok(files.some((f) => f.startsWith('notes.txt: not read as a valid TLS report') && /not a TLS report/.test(f)), files.join('\n'));
  assert.ok(files.some((f) => f.startsWith('microsoft.json: Microsoft Corporation') && /number written as a string/.test(f)), files.join('\n'));

  // No request since the view loaded, and the browser itself refuses one.
  assert.deepEqual(requests.slice(loaded), []);
  const refused = await page.evaluate(async () => {
    try { await fetch('/index.html'); return false; } catch { return true; }
  });
  assert.ok(refused, 'the view cannot connect anywhere');
  assert.deepEqual(requests.slice(loaded).filter((u) => !u.endsWith('/index.html')), []);
  await page.screenshot({ path: `${ARTIFACTS}reports.png`, fullPage: true });
  assert.deepEqual(errors.filter((e) => !/Content Security Policy|Failed to fetch/.test(e)), []);
  await page.close();
});

test('a reported failure that the live check also shows is linked to its finding', async () => {
  const { page } = await open(`${BASE_URL}/?reports`);
  await page.locator('#report-files').setInputFiles([
    { name: 'expired.json', mimeType: 'application/json', buffer: expiredReport('mx-expired.test', '2026-11-30') },
    { name: 'good.json', mimeType: 'application/json', buffer: GOOGLE },
  ]);
  await page.locator('#reports-summary').waitFor({ timeout: 10000 });
  await page.getByRole('button', { name: 'Compare these reports with a live check of mx-expired.test' }).click();
  await page.waitForURL(/\?reports&live=mx-expired\.test$/);
  await page.locator('html[data-app-ready="true"]').waitFor({ timeout: 20000 });
  await page.waitForFunction(() => /\(done\)/.test(document.querySelector('#privacy')?.innerText || ''), null, { timeout: 60000 });
  // The files came along to the comparison page.
  assert.match(await page.locator('#reports-headline').innerText(), /^2 reports from 1 reporter/);
  const cell = page.locator('[data-result-type="certificate-expired"] .live-seen');
  assert.match(await cell.innerText(), /Seen now: mx\.cert\.expired on mx1\.mx-expired\.test/);
  assert.equal(await cell.locator('a').getAttribute('href'), '/?domain=mx-expired.test');
  await page.screenshot({ path: `${ARTIFACTS}reports-live.png`, fullPage: true });
  await page.close();
});
