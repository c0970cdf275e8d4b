/** Self-contained HTML reports (inline SVG and CSS, no scripts, no network) for drift and performance. */
export { type ColumnDistribution, columnDistribution, MAX_CATEGORIES } from './distributions.js';
export { driftRule, METHOD_LABELS, renderDriftReport } from './drift-report.js';
export { type FleetDriftPage, renderFleetDriftReport } from './fleet-report.js';
export { escapeHtml, formatNumber } from './html.js';
export { type PerformanceSeries, renderPerformanceReport } from './performance-report.js';
