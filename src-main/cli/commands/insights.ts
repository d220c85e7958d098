import { computeInsights } from '../../core/analysis/insights.js';
import { noArguments, stringOption, type CommandRun } from '../command.js';
import { UsageError } from '../output.js';

function positiveInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} wants a positive whole number (got ${v})`);
  return Number(v);
}

export const runInsightsCommand: CommandRun = ({ values, args, withDb }) => {
  noArguments('insights', args);
  const burst = stringOption(values, 'burst');
  const m = burst === undefined ? null : /^(\d+)\/(\d+)$/.exec(burst);
  if (burst !== undefined && !m) throw new UsageError(`--burst wants N/MINUTES, e.g. 5/10 (got ${burst})`);
  const top = positiveInt(stringOption(values, 'top'), 'top');
  return withDb((db) => {
    const insights = computeInsights(db, {
      ...(m ? { burstFailures: positiveInt(m[1], 'burst'), burstMinutes: positiveInt(m[2], 'burst') } : {}),
      ...(top ? { top } : {}),
    });
    if (values.json) {
      process.stdout.write(JSON.stringify(insights) + '\n');
      return 0;
    }
    for (const i of insights) {
      process.stdout.write(`${i.title} [${i.severity}]: ${i.findings.length ? '' : 'none. '}${i.description}\n`);
      for (const f of i.findings) process.stdout.write(`  ${f.label}\n      open: xferlens ${f.kind === 'events' ? 'search' : f.kind} '${f.query}'\n`);
    }
    return 0;
  });
};
