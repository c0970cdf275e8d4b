/** Flag value parsers for commander: each throws InvalidArgumentError naming what it expected. */
import { InvalidArgumentError } from 'commander';

/** `0.8,0.9` → [0.8, 0.9]; each strictly between 0 and 1. */
export function parseLevels(value: string): number[] {
  return value.split(',').map((s) => {
    const level = Number(s.trim());
    if (!(level > 0 && level < 1)) {
      throw new InvalidArgumentError(`each level must be a number between 0 and 1, got "${s.trim()}"`);
    }
    return level;
  });
}

/** A whole number ≥ `min`. */
export function wholeAtLeast(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got "${value}"`);
    return n;
  };
}

/** Any finite number. */
export function number(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return n;
}

/** `key=value`, accumulated over repeated flags. */
export function tag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}
