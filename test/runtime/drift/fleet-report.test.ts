/** The fleet drift page: every series with its own verdict and link, ids escaped, series not tested listed. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeDriftWasm } from '../../../src/node/drift-wasm.js';
import { detectDrift } from '../../../src/runtime/drift/detect.js';
import { renderFleetDriftReport } from '../../../src/runtime/drift/report/fleet-report.js';
import { mulberry32 } from '../../../src/runtime/index.js';

const random = mulberry32(5);
const sample = (n: number, shift: number) => Array.from({ length: n }, () => random() + shift);

beforeAll(async () => {
  await initNodeDriftWasm();
});

describe('renderFleetDriftReport', () => {
  it('names every series with its verdict and link, escapes ids, lists the series not tested', () => {
    const reference = { load: sample(400, 0) };
    const series = {
      steady: detectDrift(reference, { load: sample(400, 0) }),
      'shift<b>': detectDrift(reference, { load: sample(400, 3) }),
    };
    expect(series.steady.dataset_drift).toBe(false);
    expect(series['shift<b>'].dataset_drift).toBe(true);
    const html = renderFleetDriftReport({
      idColumn: 'unique_id',
      series,
      skipped: [{ id: 'short', reason: 'fewer rows than a window' }],
      link: (id) => (id === 'steady' ? 'steady_data_drift.html' : null),
    });
    expect(html).not.toContain('<b>');
    expect(html).toContain('shift&lt;b&gt;');
    expect(html).toContain('1 of 2 series drifted (by unique_id): shift&lt;b&gt;');
    const rows = html.split('<tr>').filter((r) => r.includes('href="#series-'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('No drift');
    expect(rows[0]).toContain('href="steady_data_drift.html"');
    expect(rows[1]).toContain('</span>Drift');
    expect(rows[1]).toContain('load');
    expect(html).toContain('fewer rows than a window');
  });
});
