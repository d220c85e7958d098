/**
 * Native desktop notifications of live insights (follow mode, with the `notifyLiveInsights`
 * setting on): one notification per new failed-login burst, and a click brings the window back.
 * Electron's `Notification` is passed in, so the shell stays thin and this is tested without it.
 */
import type { NotificationConstructorOptions } from 'electron';
import type { Insight } from '../api/contract.js';

/** What main.ts needs of Electron's Notification class. */
export interface NotificationClass {
  isSupported(): boolean;
  new (options: NotificationConstructorOptions): { show(): void; on(event: 'click', listener: () => void): unknown };
}

/** Bursts shown one by one at most; more in one batch become one summary notification. */
const SHOWN_ONE_BY_ONE = 3;

/** The notifications for one live insight: a few findings, each on its own, or a summary. */
export function liveInsightNotifications(insight: Insight): NotificationConstructorOptions[] {
  const findings = insight.findings;
  if (findings.length > SHOWN_ONE_BY_ONE) {
    return [{ title: `xferlens: ${findings.length} new ${insight.title.toLowerCase()}`, body: findings.slice(0, SHOWN_ONE_BY_ONE).map((f) => f.label).join('\n') + '\n…' }];
  }
  return findings.map((f) => ({ title: `xferlens: ${insight.title}`, body: f.label }));
}

/** Shows a live insight natively (where the system has notifications); a click calls `onClick`. */
export function createLiveInsightNotifier(Notification: NotificationClass, onClick: () => void): (insight: Insight) => void {
  return (insight) => {
    if (!Notification.isSupported()) return;
    for (const options of liveInsightNotifications(insight)) {
      const notification = new Notification(options);
      notification.on('click', onClick);
      notification.show();
    }
  };
}
