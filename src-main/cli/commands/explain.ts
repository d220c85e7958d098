import { explainCode, explainText, tableLabel, type Explanation } from '../../core/explain/index.js';
import { stringOption, type CommandRun } from '../command.js';
import { UsageError } from '../output.js';

/** A code rather than a message: a number, a class (5xx) or one word (WSAECONNRESET, EACCES, c). */
const looksLikeCode = (s: string) => /^(?:-?\d+|[1-6]xx|\S+)$/i.test(s);

export const runExplainCommand: CommandRun = ({ values, args }) => {
  const query = args.join(' ').trim();
  if (!query) throw new UsageError('explain needs a code or a message, e.g. `xferlens explain 550`');
  const protocol = stringOption(values, 'protocol');
  const format = stringOption(values, 'format');
  let found: Explanation[] = [];
  if (looksLikeCode(query)) found = explainCode(query, { ...(protocol ? { protocol } : {}), ...(format ? { format } : {}) });
  if (!found.length) found = explainText(query);

  if (values.json) {
    const explanations = found.map((x) => ({ ...x, tableLabel: tableLabel(x.table) }));
    process.stdout.write(JSON.stringify({ query, protocol: protocol ?? null, format: format ?? null, explanations }) + '\n');
  } else if (found.length) {
    if (found.length > 1 && /^-?\d+$/.test(query) && !protocol && !format) {
      process.stdout.write(`${found.length} tables know ${query}; the protocol and log decide which applies (--protocol, --format).\n\n`);
    }
    process.stdout.write(found.map(formatExplanation).join('\n'));
  }
  if (!found.length) {
    process.stderr.write(`xferlens: no explanation for "${query}"${protocol ? ` with protocol ${protocol}` : ''}` +
      ' (codes: FTP/HTTP replies, SFTP status, EFT/SOCKS, WinSock, errno names; texts: ProFTPD messages, strerror reasons)\n');
    return 1;
  }
  return 0;
};

function formatExplanation(x: Explanation): string {
  const name = x.name && x.name !== x.code ? ` ${x.name}` : '';
  return [
    `${x.code}${name}: ${x.title}`,
    `  table:    ${tableLabel(x.table)}`,
    `  severity: ${x.severity}`,
    `  meaning:  ${x.meaning}`,
    `  advice:   ${x.advice}`,
    '',
  ].join('\n');
}
