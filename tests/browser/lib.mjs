// Starts Debian's Chromium the way these machines allow (headless, no sandbox as root, no
// background traffic) with a fresh profile, and hands out pages.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE_URL = process.env.MTASTS_BASE_URL;
if (!BASE_URL) throw new Error('MTASTS_BASE_URL is not set; run the browser tests through `cargo xtask test`');

export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });

// `resolver`: the DoH resolver this browser's user has chosen (remembered in localStorage,
// as the page's Resolver setting does), so links need not suggest one.
export async function launch(options = {}, { resolver } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'mtasts-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...options,
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  if (resolver) {
    await context.addInitScript((r) => { window.localStorage.setItem('mtasts.resolver', r); }, resolver);
  }
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

// Collects console errors and uncaught exceptions so a test can assert there were none.
export function watchErrors(page) {
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  return errors;
}
