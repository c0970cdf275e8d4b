/**
 * Data loading for Node: CSV, TSV and Parquet into a repaired Frame and Arrow table — plain CSV/TSV of
 * any size streamed through d3-dsv into typed columns and repaired in loops, duckdb-wasm for the rest, with the same result either way.
 */
export { closeDuckDB, getDuckDB } from './duckdb.js';
export { type LoadOptions, LoadOptionsSchema, type LoadResult, loadData } from './load.js';
export {
  loadPanel,
  type PanelOptions,
  type PanelReport,
  type PanelResult,
  type PanelSeries,
  panelActions,
  type SkippedSeries,
} from './panel.js';
export { type FileFormat, FORMATS, formatOf } from './read-file.js';
export { DUPLICATE_POLICIES, type DuplicatePolicy, GAP_POLICIES, type GapPolicy } from './repair.js';
export { formatReport, type LoadEngine, type LoadReport } from './report.js';
export {
  CANDIDATE_PATTERNS,
  type Detection,
  detectTimeFormat,
  formatPeriod,
  formatTimestamp,
  type TimeFormat,
} from './timestamps.js';
