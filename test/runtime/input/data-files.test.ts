/** A data file's shape without decoding its rows agrees with decoding it: CSV, JSON records, Arrow IPC. */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { dataFileShape, decodeDataFile } from '../../../src/runtime/input/data-files.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const decodedShape = (key: string, b: Uint8Array) => {
  const columns = decodeDataFile(key, b);
  return { rows: Object.values(columns)[0]?.length ?? 0, columns: Object.keys(columns) };
};

describe('dataFileShape', () => {
  const csv = 'timestamp,net_load\n2024-01-01T00:00:00,1\n2024-01-01T01:00:00,2\n2024-01-01T02:00:00,3';
  it.each([
    ['a.csv', bytes(csv)],
    ['trailing-newline.csv', bytes(`${csv}\n`)],
    ['crlf.csv', bytes(`${csv.replaceAll('\n', '\r\n')}\r\n`)],
    ['header-only.csv', bytes('timestamp,net_load\n')],
    [
      'a.json',
      bytes(
        JSON.stringify([
          { timestamp: 't0', net_load: 1 },
          { timestamp: 't1', net_load: 2 },
        ]),
      ),
    ],
    [
      'a.arrow',
      tableToIPC(
        tableFromArrays({
          timestamp: Float64Array.from([0, 1, 2, 3]),
          net_load: Float64Array.from([1, 2, 3, 4]),
        }),
        'stream',
      ),
    ],
  ])('%s: the same rows and columns as decoding it', (key, b) => {
    expect(dataFileShape(key, b)).toEqual(decodedShape(key, b));
  });

  it('names the file that is not Arrow IPC', () => {
    expect(() => dataFileShape('bad.arrow', bytes('nope'))).toThrow(/bad\.arrow/);
  });
});
