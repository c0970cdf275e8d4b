/** Node's report sink for ForecastMonitor: writes each HTML report into a folder (e.g. TWIGA_SERVE_REPORT_DIR). */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { ReportSink } from '../runtime/drift/monitor.js';

/**
 * A sink writing reports to `dir` (created when missing); `report_path` is the file's absolute path.
 * @example new ForecastMonitor({}, fileReportSink(process.env.TWIGA_SERVE_REPORT_DIR ?? 'reports'))
 */
export function fileReportSink(dir: string): Required<ReportSink> {
  return {
    async writeReport(name, html) {
      await mkdir(dir, { recursive: true });
      // Names come from the monitor; basename keeps any other caller inside the folder.
      const path = resolve(dir, basename(name));
      await writeFile(path, html);
      return path;
    },
  };
}
