/** The Export dialog (Ctrl+E). */
import type { Download, Locator, Page } from 'playwright-core';

export class ExportDialog {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByRole('dialog', { name: 'Export' });
  }

  async openWithKeyboard(): Promise<void> {
    await this.page.keyboard.press('Control+e');
    await this.root.waitFor();
  }

  async choose(opts: { kind?: 'events' | 'sessions' | 'transfers'; format?: 'CSV' | 'NDJSON (Elastic Common Schema)'; excel?: boolean; asShown?: boolean; columns?: string[] }): Promise<void> {
    if (opts.kind) await this.root.getByRole('radio', { name: opts.kind, exact: true }).check();
    if (opts.format) await this.root.getByRole('radio', { name: opts.format }).check();
    if (opts.excel !== undefined) await this.root.getByRole('checkbox', { name: /For Excel/ }).setChecked(opts.excel);
    if (opts.asShown !== undefined) await this.root.getByRole('checkbox', { name: /As the table shows it/ }).setChecked(opts.asShown);
    if (opts.columns) {
      const boxes = this.root.locator('fieldset.columns input[type=checkbox]');
      for (let i = 0; i < (await boxes.count()); i++) {
        const label = ((await boxes.nth(i).locator('xpath=..').textContent()) ?? '').trim();
        await boxes.nth(i).setChecked(opts.columns.includes(label));
      }
    }
  }

  /** Browser mode: clicks Download and waits for the file. */
  async download(): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.root.getByRole('button', { name: 'Download' }).click()]);
    return download;
  }

  async close(): Promise<void> {
    await this.root.getByRole('button', { name: 'Close' }).click();
    await this.root.waitFor({ state: 'hidden' });
  }
}
