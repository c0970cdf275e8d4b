/**
 * Regression tests for the fuzzer's first finds, run against both servers: epoch values past what a `Date`
 * holds answered 500 (`RangeError: Invalid time value`) on /predict, /predict-interval and
 * /monitor/performance. Now every timestamp outside the supported range is a 422 naming the record.
 */
import {
  makeData,
  makeVector,
  Table,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  tableToIPC,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { MAX_TIME_MS } from '../../src/runtime/time-range.js';
import type { FuzzContext, Row } from './route-table.js';

type Send = (path: string, body: string | Uint8Array, type?: string) => Promise<Response>;

interface ErrorJson {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
}

async function expect422(res: Response, ...named: string[]): Promise<ErrorJson> {
  const text = await res.text();
  expect(res.status, text).toBe(422);
  const body = JSON.parse(text) as ErrorJson;
  for (const n of named) expect(body.error.message).toContain(n);
  expect(body.error.message).toContain('supported range');
  return body;
}

/** The records' JSON with the last row's timestamp written as the raw token `value` (kept exact). */
function withLastTime(rows: readonly Row[], time: string, value: string): string {
  const last = rows.length - 1;
  const marked = rows.map((r, i) => (i === last ? { ...r, [time]: '__VALUE__' } : r));
  return JSON.stringify({ records: marked }).replace('"__VALUE__"', value);
}

function arrowWithTime(
  ctx: FuzzContext,
  type: TimestampSecond | TimestampMillisecond | TimestampNanosecond,
  time: BigInt64Array,
) {
  const n = time.length;
  const values = Float64Array.from(ctx.records.slice(-n), (r) => Number(r[ctx.target]));
  const table = new Table({
    [ctx.timeColumn]: makeVector(makeData({ type, length: n, data: time })),
    [ctx.target]: makeVector(values),
  });
  return tableToIPC(table, 'stream');
}

export function describeTimeRange(label: string, env: () => { ctx: FuzzContext; send: Send }): void {
  describe(`supported time range on ${label}`, () => {
    const last = () => `records[${env().ctx.records.length - 1}].${env().ctx.timeColumn}`;

    for (const path of ['/predict', '/predict-interval']) {
      for (const value of ['8640000000000001', '9007199254740993', '-8640000000000001', '1e300']) {
        it(`${path}: epoch ${value} is a 422 naming the record`, async () => {
          const { ctx, send } = env();
          await expect422(await send(path, withLastTime(ctx.records, ctx.timeColumn, value)), last());
        });
      }
      it(`${path}: "2262-04-12T00:00:00" is a 422 naming the record and the value`, async () => {
        const { ctx, send } = env();
        const res = await send(path, withLastTime(ctx.records, ctx.timeColumn, '"2262-04-12T00:00:00"'));
        await expect422(res, last(), '2262-04-12T00:00:00');
      });
    }

    it('/monitor/performance: a timestamp past the Date bound is a 422 naming the row', async () => {
      const { ctx, send } = env();
      const rows = ctx.records.map((r) => ({ ...r, prediction: Number(r[ctx.target]) }));
      const text = withLastTime(rows, ctx.timeColumn, '8640000000000001').replace(
        /\}$/,
        `,"target":"${ctx.target}","timestamp":"${ctx.timeColumn}"}`,
      );
      await expect422(await send('/monitor/performance', text), `${ctx.timeColumn}[${rows.length - 1}]`);
    });

    it('a history ending just inside the bound, with a horizon past it, is a 422 saying so', async () => {
      const { ctx, send } = env();
      const n = ctx.records.length;
      const start = MAX_TIME_MS - (n + 1) * ctx.periodMs;
      const rows = ctx.records.map((r, i) => ({ ...r, [ctx.timeColumn]: start + i * ctx.periodMs }));
      const res = await send('/predict', JSON.stringify({ records: rows }));
      const body = await expect422(res, last(), 'forecast of');
      expect(body.error.issues?.[0]?.path).toBe(last());
    });

    it('Arrow: a seconds timestamp column past the range is a 422 naming the column and row', async () => {
      const { ctx, send } = env();
      const n = ctx.records.length;
      const time = BigInt64Array.from(
        { length: n },
        (_, i) => 10n ** 13n + BigInt(i * (ctx.periodMs / 1000)),
      );
      const res = await send(
        '/predict',
        arrowWithTime(ctx, new TimestampSecond(), time),
        'application/vnd.apache.arrow.stream',
      );
      await expect422(res, `${ctx.timeColumn}[0]`);
    });

    it('Arrow: a millisecond timestamp beyond 2^53 is a 422 naming the column, not a 500', async () => {
      const { ctx, send } = env();
      const time = BigInt64Array.from({ length: 4 }, (_, i) => 2n ** 60n + BigInt(i));
      const res = await send(
        '/predict',
        arrowWithTime(ctx, new TimestampMillisecond(), time),
        'application/vnd.apache.arrow.stream',
      );
      const text = await res.text();
      expect(res.status, text).toBe(422);
      expect(text).toContain(ctx.timeColumn);
    });

    it('Arrow: nanosecond timestamps inside the range forecast like the records', async () => {
      const { ctx, send } = env();
      const time = BigInt64Array.from(
        ctx.records,
        (r) => BigInt(Date.parse(`${r[ctx.timeColumn]}Z`)) * 1_000_000n,
      );
      const res = await send(
        '/predict',
        arrowWithTime(ctx, new TimestampNanosecond(), time),
        'application/vnd.apache.arrow.stream',
      );
      expect(res.status, await res.clone().text()).toBe(200);
      const json = (await res.json()) as { issued_after: string };
      expect(json.issued_after).toBe(String(ctx.records.at(-1)![ctx.timeColumn]));
    });
  });
}
