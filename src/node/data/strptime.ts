/**
 * One strict reader of the strptime patterns we detect (`%Y %m %d %H %M %S %f`), shared by format detection and
 * the JS load path, so both agree on what a cell in a pattern's shape is.
 */

type Field = 'Y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'f';

const WIDTH: Record<Field, string> = {
  Y: '(\\d{4})',
  m: '(\\d{1,2})',
  d: '(\\d{1,2})',
  H: '(\\d{1,2})',
  M: '(\\d{1,2})',
  S: '(\\d{1,2})',
  f: '(\\d{1,6})',
};

/** The fields of one cell; `f` is microseconds (".5" is 500000). */
export type TimeFields = Record<Field, number>;

/** Reads a cell to valid calendar fields, or `undefined` when it is not in the pattern's shape. */
export type FieldReader = (text: string) => TimeFields | undefined;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (y: number, m: number) =>
  m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : MONTH_DAYS[m - 1]!;

/**
 * Compiles `pattern`; `undefined` when it has a directive outside the set. `padded` accepts spaces around the
 * value (detection samples raw text; the load path has trimmed its cells).
 */
export function fieldReader(pattern: string, padded: boolean): FieldReader | undefined {
  const fields: Field[] = [];
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch !== '%') {
      source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      continue;
    }
    const directive = pattern[++i] as Field | undefined;
    if (directive === undefined || !(directive in WIDTH)) return undefined;
    fields.push(directive);
    source += WIDTH[directive];
  }
  // The compact %Y%m%d form needs fixed widths.
  if (pattern === '%Y%m%d') source = '(\\d{4})(\\d{2})(\\d{2})';
  const space = padded ? '\\s*' : '';
  const re = new RegExp(`^${space}${source}${space}$`);
  return (text) => {
    const match = re.exec(text);
    if (!match) return undefined;
    const v: TimeFields = { Y: 1970, m: 1, d: 1, H: 0, M: 0, S: 0, f: 0 };
    for (let k = 0; k < fields.length; k++) {
      const digits = match[k + 1]!;
      const field = fields[k]!;
      v[field] = Number(field === 'f' ? digits.padEnd(6, '0') : digits);
    }
    if (v.m < 1 || v.m > 12 || v.d < 1 || v.d > daysIn(v.Y, v.m)) return undefined;
    if (v.H > 23 || v.M > 59 || v.S > 59) return undefined;
    return v;
  };
}
