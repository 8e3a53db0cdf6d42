// @ts-check
// Screenshots of elements from the browser tests (Chromium through puppeteer), saved as PNG files.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** @param {{ dir: string }} options */
export function screenshotPlugin({ dir }) {
  /** @type {import('@web/test-runner').TestRunnerPlugin} */
  return {
    name: 'widget-screenshot',
    async executeCommand({ command, payload, session }) {
      if (command !== 'screenshot') return undefined;
      const { name, selector } = /** @type {{ name: string, selector: string }} */ (payload);
      if (!/^[\w.-]+$/.test(name)) throw new Error(`bad screenshot name ${name}`);
      const launcher = /** @type {any} */ (session.browser);
      if (typeof launcher.getPage !== 'function') throw new Error('screenshots need the Chrome launcher');
      const page = launcher.getPage(session.id);
      const element = await page.$(selector);
      if (!element) throw new Error(`no element ${selector} to screenshot`);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `${name}.png`);
      await element.screenshot({ path });
      return path;
    },
  };
}
