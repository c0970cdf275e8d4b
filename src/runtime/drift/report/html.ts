/** HTML building blocks of the reports: escaping, number formatting, verdict badges and the self-contained page. */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and quoted attributes (also inside inline SVG). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A number for people: 4 significant digits, exponents for tiny/huge values, `—` for null/NaN. */
export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs < 1e-4 || abs >= 1e7) return x.toExponential(digits - 1).replace('-', '−');
  return Number(x.toPrecision(digits))
    .toLocaleString('en-US', { maximumFractionDigits: 10 })
    .replace('-', '−');
}

/** A verdict as colour plus text plus a symbol, so it reads without colour too. */
export function badge(bad: boolean, badText: string, okText: string): string {
  return bad
    ? `<span class="badge bad"><span aria-hidden="true">▲ </span>${escapeHtml(badText)}</span>`
    : `<span class="badge ok"><span aria-hidden="true">✓ </span>${escapeHtml(okText)}</span>`;
}

/** Escaped table cells; `th` cells get `scope="row"`. */
export function row(cells: readonly string[], header = false): string {
  const [first, ...rest] = cells;
  const head = header ? `<th scope="row">${first}</th>` : `<td>${first}</td>`;
  return `<tr>${head}${rest.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

/** A table with a caption and column headers (cells are HTML: escape user text first). */
export function table(caption: string, headers: readonly string[], rows: readonly string[]): string {
  const ths = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${ths}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

// System fonts only and a CSP of default-src 'none': the page never reaches the network.
const CSS = `
:root{--ref:#3b6fb6;--cur:#e8710a;--bad:#b3261e;--bad-bg:#fde7e6;--ok:#1e6b34;--ok-bg:#e3f4e8;--ink:#1f2328;--muted:#59636e;--line:#d0d7de}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#f6f8fa}
main{max-width:1040px;margin:0 auto;padding:24px}
header,section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin-bottom:16px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:0 0 8px}
.meta{color:var(--muted);margin:4px 0}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;font-size:13px}
.badge.bad{color:var(--bad);background:var(--bad-bg)}.badge.ok{color:var(--ok);background:var(--ok-bg)}
table{border-collapse:collapse;width:100%;margin:8px 0}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);font-variant-numeric:tabular-nums}
thead th{background:#f0f3f6}
a{color:var(--ref)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:16px}
figure{margin:0}figcaption{color:var(--muted);font-size:12px}
svg{display:block;max-width:100%;height:auto;font:11px system-ui,sans-serif}
svg .ref{fill:var(--ref)}svg .cur{fill:var(--cur)}svg .bars .ref,svg .bars .cur{fill-opacity:.55}svg .err{fill:#6e7781}
svg .zero{stroke:var(--ink);stroke-dasharray:4 3}
.badge.neutral{color:var(--muted);background:#eaeef2}
svg .ref-line{stroke:var(--ref);fill:none;stroke-width:1.5}svg .cur-line{stroke:var(--cur);fill:none;stroke-width:1.5}
svg .axis{stroke:#8c959f}svg .grid{stroke:#eaeef2}svg text{fill:var(--muted)}
`;

/** A complete standalone document: inline CSS, no scripts, no external resources. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
