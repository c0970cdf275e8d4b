/** Reports (drift, performance HTML) written into the checkpoint store, so the edge keeps them in R2. */
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import type { ReportSink } from '../runtime/drift/monitor.js';

/**
 * @param prefix key prefix, e.g. `reports/twiga/`.
 * @returns a sink whose `report_path` is the store's description of the key (`r2://bucket/reports/…`).
 */
export function storeReportSink(store: CheckpointStore, prefix: string): ReportSink {
  return {
    async writeReport(name, html) {
      const key = `${prefix}${name}`;
      await store.put(key, new TextEncoder().encode(html));
      return store.describe(key);
    },
  };
}
