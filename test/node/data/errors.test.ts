/** Loader failures: each names what is wrong, where, and what would be accepted. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeDuckDB, type LoadOptions, loadData } from '../../../src/node/data/index.js';
import { ConfigError, DataError, type TwigaError } from '../../../src/runtime/errors.js';
import { tempFiles } from './fixtures.js';

const files = tempFiles();
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

const GOOD = 'time,value\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n';
const options: LoadOptions = { timeColumn: 'time', columns: ['value'] };

async function failure(promise: Promise<unknown>): Promise<TwigaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the load to fail');
  return error as TwigaError;
}

describe('files', () => {
  it('a missing file is DATA_NOT_FOUND naming the path', async () => {
    const path = `${files.dir}/nope.csv`;
    const error = await failure(loadData(path, options));
    expect(error).toBeInstanceOf(DataError);
    expect(error.code).toBe('DATA_NOT_FOUND');
    expect(error.message).toBe(`data file not found: ${path}`);
    expect(error.context).toEqual({ path });
  });

  it('an unsupported extension is FORMAT_UNSUPPORTED naming it and the supported ones', async () => {
    const path = files.file('data.xlsx', GOOD);
    const error = await failure(loadData(path, options));
    expect(error.code).toBe('FORMAT_UNSUPPORTED');
    expect(error.message).toContain('unsupported file extension ".xlsx"');
    expect(error.message).toContain('supported: .csv, .csv.gz, .txt, .tsv, .tsv.gz, .parquet');
  });

  it('a header-only file has no data rows', async () => {
    const error = await failure(loadData(files.file('header.csv', 'time,value\n'), options));
    expect(error.message).toContain('has no data rows');
  });

  it('an empty file is refused', async () => {
    const error = await failure(loadData(files.file('empty.csv', ''), options));
    expect(error.message).toContain('is empty');
  });
});

describe('columns', () => {
  const path = files.file('good.csv', GOOD);

  it('a missing time column names it and lists the available ones', async () => {
    const error = await failure(loadData(path, { timeColumn: 'timestamp', columns: ['value'] }));
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toBe(
      `time column "timestamp" not found in ${path}; available columns: "time", "value"`,
    );
    expect(error.context).toMatchObject({ column: 'timestamp', available: ['time', 'value'] });
  });

  it('a missing target column names it and lists the available ones', async () => {
    const error = await failure(loadData(path, { timeColumn: 'time', columns: ['value', 'load'] }));
    expect(error.message).toBe(
      `requested column "load" not found in ${path}; available columns: "time", "value"`,
    );
  });

  it('matches names exactly, though duckdb itself would ignore case', async () => {
    const error = await failure(loadData(path, { timeColumn: 'TIME', columns: ['value'] }));
    expect(error.message).toBe(`time column "TIME" not found in ${path}; available columns: "time", "value"`);
  });

  it('a malformed file is DATA_INVALID with the reader message', async () => {
    const ragged = files.file('ragged.tsv', 'time\tvalue\n2024-01-01 00:00\t1\n2024-01-01 01:00\t2\t3\t4\n');
    const error = await failure(loadData(ragged, options));
    expect(error.code).toBe('DATA_INVALID');
    expect(error.message).toMatch(/^could not read .*ragged\.tsv as TSV: /);
  });

  it('says so when the delimiter of a malformed CSV was not detected', async () => {
    const ragged = files.file(
      'ragged.csv',
      'time,value\n2024-01-01 00:00,1\n2024-01-01 01:00,2,3,4\n"2024-01-01 02:00,3\n',
    );
    const error = await failure(loadData(ragged, options));
    expect(error.message).toContain(
      'available columns: "time,value" (one column: the delimiter was not detected',
    );
  });

  it('a column with no numbers at all is refused', async () => {
    const words = files.file('words.csv', 'time,value\n2024-01-01 00:00,a\n2024-01-01 01:00,b\n');
    const error = await failure(loadData(words, options));
    expect(error.message).toContain('column "value" has no numeric values');
    expect(error.message).toContain('"a" at row 1');
  });
});

describe('timestamps', () => {
  it('an unparsable value names the column, the format and the first bad value', async () => {
    const path = files.file(
      'bad-time.csv',
      'time,value\n2024-01-01 00:00,1\n2024-01-01 01:00,2\ngarbage,3\n2024-13-01 02:00,4\n',
    );
    const error = await failure(loadData(path, options));
    expect(error.message).toBe(
      `${path}: time column "time": 2 values not readable as %Y-%m-%d %H:%M; first at row 3: "garbage"`,
    );
    expect(error.context).toMatchObject({ column: 'time', format: '%Y-%m-%d %H:%M' });
  });

  it('an empty timestamp is reported as such', async () => {
    const path = files.file('empty-time.csv', 'time,value\n2024-01-01 00:00,1\n,2\n');
    const error = await failure(loadData(path, options));
    expect(error.message).toContain('first at row 2: (empty)');
  });

  it('a column in no known format asks for timeFormat', async () => {
    const path = files.file('words-time.csv', 'time,value\nmonday,1\ntuesday,2\n');
    const error = await failure(loadData(path, options));
    expect(error.message).toContain(
      'could not detect the time format of column "time" from values such as "monday", "tuesday"',
    );
    expect(error.message).toContain('pass timeFormat');
  });

  it('day/month ambiguity is an error naming both readings', async () => {
    const rows = Array.from({ length: 5 }, (_, h) => `03/04/2024 0${h}:00,${h}`);
    const path = files.file('ambiguous.csv', ['time,value', ...rows].join('\n'));
    const error = await failure(loadData(path, options));
    expect(error.message).toContain('time column "time" is ambiguous: values such as "03/04/2024 00:00"');
    expect(error.message).toContain('day-first (%d/%m/%Y %H:%M) or month-first (%m/%d/%Y %H:%M)');
    expect(error.message).toContain('pass timeFormat');
    const { report } = await loadData(path, { ...options, timeFormat: '%m/%d/%Y %H:%M' });
    expect(report.first).toBe('2024-03-04 00:00');
  });

  it('a given format that reads nothing fails fast', async () => {
    const path = files.file('iso.csv', GOOD);
    const error = await failure(loadData(path, { ...options, timeFormat: '%d-%m-%Y %H:%M' }));
    expect(error.message).toBe(
      `${path}: time column "time": format "%d-%m-%Y %H:%M" reads none of the first values, e.g. "2024-01-01 00:00"`,
    );
  });

  it('a given format that is not a pattern says so', async () => {
    const path = files.file('iso2.csv', GOOD);
    const error = await failure(loadData(path, { ...options, timeFormat: '%Q' }));
    expect(error.message).toContain('time format "%Q" for column "time" is not a valid strptime pattern');
  });
});

describe('options', () => {
  it('are validated with every offending field named', async () => {
    const path = files.file('opts.csv', GOOD);
    const bad = { timeColumn: 'time', columns: ['value'], period: 'hourly', gaps: 'fill' };
    const error = await failure(loadData(path, bad as unknown as LoadOptions));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues.map((i) => i.path).sort()).toEqual(['gaps', 'period']);
    expect(error.message).toContain('period: expected a period such as "30min", "1h", "1D" or "7D"');
  });

  it('refuse a column listed twice or the time column among the values', async () => {
    const path = files.file('opts2.csv', GOOD);
    const error = await failure(loadData(path, { timeColumn: 'time', columns: ['value', 'value', 'time'] }));
    expect(error.issues).toEqual([
      { path: 'columns[1]', message: '"value" is listed twice' },
      { path: 'columns[2]', message: '"time" is the time column' },
    ]);
  });
});
