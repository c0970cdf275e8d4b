/** Proleptic Gregorian dates from day counts since 1970-01-01 and back, without `Date` (no range limit). */

/** Year, month 1–12 and day 1–31 of a day count since 1970-01-01 (proleptic Gregorian; Hinnant's civil_from_days). */
export function civilOfDay(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Days since 1970-01-01 of 1 January of `year` (Hinnant's days_from_civil). */
export function firstDayOfYear(year: number): number {
  const y = year - 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = 306; // 1 January is day 306 of the March-based year
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Whether `year` is a Gregorian leap year. */
export const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** `YYYY-MM-DD` of a day count since 1970-01-01, for any day (unlike `Date`, which stops at ±275,760 years). */
export function isoDay(days: number): string {
  const { year, month, day } = civilOfDay(days);
  const pad = (n: number, w: number) => String(Math.abs(n)).padStart(w, '0');
  return `${year < 0 ? '-' : ''}${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}
