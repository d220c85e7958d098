/** The Charts view: time charts with a brush, top lists, heatmap. */
import type { Locator, Page } from 'playwright-core';

export class ChartsPage {
  constructor(readonly page: Page) {}

  chart(titleStart: string): Locator {
    return this.page.locator('figure.chart').filter({ hasText: titleStart });
  }

  get timeFilter(): Locator {
    return this.page.getByTestId('time-filter');
  }

  /** Drags across a chart's plot area from one fraction of its width to another. */
  async brush(titleStart: string, fromFraction: number, toFraction: number): Promise<void> {
    const over = this.chart(titleStart).locator('.u-over');
    await over.waitFor();
    const box = (await over.boundingBox())!;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(box.x + box.width * fromFraction, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + box.width * ((fromFraction + toFraction) / 2), y, { steps: 4 });
    await this.page.mouse.move(box.x + box.width * toFraction, y, { steps: 4 });
    await this.page.mouse.up();
  }

  topList(title: string): Locator {
    return this.page.locator('section.card').filter({ has: this.page.getByRole('heading', { name: title }) });
  }
}
