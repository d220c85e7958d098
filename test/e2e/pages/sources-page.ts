/** The Sources view: open paths on the server, the indexed files and their settings. */
import type { Locator, Page } from 'playwright-core';

export interface SourceRowText {
  name: string;
  format: string;
  lines: number;
  unparsed: number;
}

export class SourcesPage {
  constructor(readonly page: Page) {}

  get table(): Locator {
    return this.page.getByTestId('sources');
  }

  row(fileName: string): Locator {
    return this.table.locator('tbody tr[data-source]').filter({ has: this.page.locator('.name', { hasText: new RegExp(`^${fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
  }

  /** Indexes a path on the server through the "Open files or folders on the server" field. */
  async openPath(path: string): Promise<void> {
    await this.page.getByLabel('Open files or folders on the server').fill(path);
    await this.page.getByRole('button', { name: 'Index', exact: true }).click();
  }

  /** Indexes a path on the server with "Follow" ticked: it is then followed. */
  async openAndFollow(path: string): Promise<void> {
    await this.page.getByRole('checkbox', { name: /Follow: then index/ }).check();
    await this.page.getByLabel('Open files or folders on the server').fill(path);
    await this.page.getByRole('button', { name: 'Index and follow', exact: true }).click();
    await this.page.getByRole('checkbox', { name: /Follow: then index/ }).uncheck();
  }

  /** The "following" mark of a file's row ("following", "following (paused)"), or null. */
  async followingMark(fileName: string): Promise<string | null> {
    const mark = this.row(fileName).getByTestId('following-mark');
    return (await mark.count()) ? ((await mark.textContent()) ?? '').trim() : null;
  }

  async rows(): Promise<SourceRowText[]> {
    const rows = this.table.locator('tbody tr[data-source]');
    const out: SourceRowText[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      out.push({
        name: (await rows.nth(i).locator('.name').textContent())!.trim(),
        format: ((await rows.nth(i).locator('.fmt').textContent()) ?? '').trim(),
        lines: Number(cells[4]!.replace(/\D/g, '')),
        unparsed: Number(cells[5]!.replace(/\D/g, '')),
      });
    }
    return out;
  }

  /** Opens a file's settings, sets the proftpd.conf that names it and indexes it again. */
  async setProftpdConf(fileName: string, conf: string): Promise<void> {
    const settings = this.row(fileName).getByRole('button', { name: 'Settings' });
    if ((await settings.getAttribute('aria-expanded')) !== 'true') await settings.click();
    await this.page.getByLabel(/^ProFTPD configuration/).fill(conf);
    await this.page.getByRole('button', { name: 'Save and index again' }).click();
  }

  /** Opens a file's settings, sets its ProFTPD LogFormat and indexes it again. */
  async setLogFormat(fileName: string, logFormat: string): Promise<void> {
    await this.row(fileName).getByRole('button', { name: 'Settings' }).click();
    await this.page.getByLabel('ProFTPD LogFormat (ExtendedLog files)').fill(logFormat);
    await this.page.getByRole('button', { name: 'Save and index again' }).click();
  }
}
