import { clf } from './clf.js';
import { eftClient } from './eft-client.js';
import { filezilla, filezillaLegacy } from './filezilla.js';
import { iis } from './iis.js';
import { proftpdExtended } from './proftpd-extended.js';
import { proftpdModlog } from './proftpd-modlog.js';
import { proftpdSystem } from './proftpd-system.js';
import { pureftpdStats } from './pureftpd-stats.js';
import { syslog } from './syslog.js';
import type { FormatDefinition } from './types.js';
import { w3c } from './w3c.js';
import { vsftpd } from './vsftpd.js';
import { xferlog } from './xferlog.js';

/**
 * Every format xferlens reads. Adding a format: write its module in this folder (with verbatim
 * samples) and add it to this list; detection and the tests pick it up. Add its row to the table
 * of docs/formats.md.
 * Order breaks ties in detection: more specific formats first.
 */
export const FORMATS: readonly FormatDefinition[] = [w3c, eftClient, iis, proftpdExtended, clf, xferlog, proftpdModlog, vsftpd, pureftpdStats, filezillaLegacy, filezilla, proftpdSystem, syslog];

export function formatById(id: string): FormatDefinition | undefined {
  return FORMATS.find((f) => f.id === id);
}
