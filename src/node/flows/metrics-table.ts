/** The markdown metrics table a flow publishes as a run artifact (twiga's Prefect markdown artifact). */
import type { MetricsByModel } from '../../runtime/training-result.js';

const cell = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toPrecision(5));

/**
 * One row per model (ensemble last), one column per metric, numbers to 5 significant digits; `—` where a
 * metric is undefined.
 * @example
 * metricsTable({ linear: { mae: 1.25 }, ensemble: { mae: 1.2 } }, 'Test metrics');
 * // ## Test metrics\n\n| model | mae |\n| --- | ---: |\n| linear | 1.2500 |\n| ensemble | 1.2000 |\n
 */
export function metricsTable(metrics: MetricsByModel, title: string): string {
  const models = Object.keys(metrics).sort((a, b) => Number(a === 'ensemble') - Number(b === 'ensemble'));
  const names = [...new Set(models.flatMap((m) => Object.keys(metrics[m]!)))];
  const lines = [
    `## ${title}`,
    '',
    `| model | ${names.join(' | ')} |`,
    `| --- | ${names.map(() => '---:').join(' | ')} |`,
    ...models.map((m) => `| ${m} | ${names.map((n) => cell(metrics[m]![n])).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}
