/** A result table (role grid): its columns, its rows as text, selection and Alt+click-to-filter. */
import type { Locator, Page } from 'playwright-core';

export type Kind = 'events' | 'sessions' | 'transfers';

export class GridPage {
  readonly root: Locator;

  constructor(
    readonly page: Page,
    readonly kind: Kind,
  ) {
    this.root = page.getByTestId(`grid-${kind}`);
  }

  /** Rows in the DOM (the table renders only those near the view). */
  get rows(): Locator {
    return this.root.locator(`[role=row][id^="${this.kind}-row-"]`);
  }

  get selectedRow(): Locator {
    return this.root.locator('[role=row][aria-selected=true]');
  }

  /** Column labels as shown in the header, without the sort arrow. */
  async columns(): Promise<string[]> {
    const texts = await this.root.getByRole('columnheader').allTextContents();
    return texts.map((t) => t.replace(/[▲▼]/g, '').trim());
  }

  /** The index of the column whose label starts with `label`. */
  async columnIndex(label: string): Promise<number> {
    const columns = await this.columns();
    const i = columns.findIndex((c) => c === label || c.startsWith(`${label} (`));
    if (i < 0) throw new Error(`no column ${label} in ${columns.join(', ')}`);
    return i;
  }

  /** The text of one column in every rendered row. */
  async columnTexts(label: string): Promise<string[]> {
    const i = await this.columnIndex(label);
    return this.rows.locator(`[role=gridcell]:nth-child(${i + 1})`).allTextContents().then((t) => t.map((s) => s.trim()));
  }

  /** Waits until the table has rows and is not loading. */
  async waitForRows(): Promise<void> {
    await this.root.and(this.page.locator('[aria-busy=false]')).waitFor();
    await this.rows.first().waitFor();
  }

  /** Sorts by a column (its header clicked until it says so); tables open newest first. */
  async sortBy(label: string, order: 'ascending' | 'descending'): Promise<void> {
    const header = this.root.getByRole('columnheader', { name: new RegExp(`^${label}`) });
    for (let i = 0; i < 3 && (await header.getAttribute('aria-sort')) !== order; i++) {
      await header.getByRole('button').click();
      await this.waitForRows();
    }
    if ((await header.getAttribute('aria-sort')) !== order) throw new Error(`${label} is not sorted ${order}`);
  }

  /** The first rendered cell of a column that shows `value`. */
  async cell(label: string, value: string): Promise<Locator> {
    const i = await this.columnIndex(label);
    return this.rows.locator(`[role=gridcell]:nth-child(${i + 1})`).filter({ hasText: new RegExp(`^\\s*${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).first();
  }

  /** Alt+clicks a value shown in a column: a searchable value adds itself to the search. */
  async clickValue(label: string, value: string): Promise<void> {
    await (await this.cell(label, value)).click({ modifiers: ['Alt'] });
  }

  /** Selects a row by clicking a cell that is not a searchable value. */
  async selectRow(index: number, label: string): Promise<void> {
    const i = await this.columnIndex(label);
    await this.rows.nth(index).locator(`[role=gridcell]:nth-child(${i + 1})`).click();
  }

  /** The events view's "Stick to newest" toggle (tail -f). */
  get stickToNewest(): Locator {
    return this.page.getByRole('button', { name: 'Stick to newest' });
  }

  async scrollTop(): Promise<number> {
    return this.root.evaluate((el) => (el as unknown as { scrollTop: number }).scrollTop);
  }

  /** Whether the rendered row holding `text` is inside the table's visible area (under its header). */
  async rowInView(text: string): Promise<boolean> {
    const row = this.rows.filter({ hasText: text });
    if (!(await row.count())) return false;
    const [box, view, head] = await Promise.all([row.first().boundingBox(), this.root.boundingBox(), this.root.locator('.head').boundingBox()]);
    return !!box && !!view && !!head && box.y >= head.y + head.height - 1 && box.y + box.height <= view.y + view.height + 1;
  }

  /** Scrolls the table by `dy` pixels (as a mouse wheel would). */
  async scrollBy(dy: number): Promise<void> {
    await this.root.evaluate((el, by) => {
      (el as unknown as { scrollTop: number }).scrollTop += by;
    }, dy);
  }
}
