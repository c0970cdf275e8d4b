/**
 * Adaptive conformal inference (Gibbs & Candès 2021): the miscoverage level α of each output
 * (horizon step h, target t at index h·T + t) is nudged online from the actuals, α ← α + γ·(α* − err),
 * so intervals widen after misses and narrow after hits. The same code runs on Node, Workers and the browser.
 */
import { z } from 'zod';
import { CheckpointConflictError } from './checkpoint/conflict.js';
import type { CheckpointStore } from './checkpoint/store.js';
import { type ConformalTable, halfWidth, maxSupportedLevel } from './conformal.js';
import { CheckpointError, ConfigError } from './errors.js';

/** The serving option recorded in a checkpoint: step size γ and the target coverage 1 − α*. */
export const AciOptionsSchema = z.object({
  /** Step size of the α update; Gibbs & Candès use 0.005; larger adapts faster and jitters more. */
  gamma: z.number().gt(0).max(0.5).default(0.005),
  /** Target coverage, e.g. 0.9 for 90 % intervals. */
  target: z.number().gt(0).lt(1).default(0.9),
});
/** Parsed ACI options. */
export type AciOptions = z.output<typeof AciOptionsSchema>;

/** The online state of one model: α and the count of actuals seen, per output. */
export const AciStateSchema = z.object({
  gamma: z.number().gt(0).max(0.5),
  target: z.number().gt(0).lt(1),
  /** Current miscoverage level per output; may leave [0, 1] (α ≤ 0 asks for the widest interval). */
  alpha: z.array(z.number().finite()),
  /** Actuals folded in per output. */
  updates: z.array(z.int().nonnegative()),
});
/** Parsed ACI state. */
export type AciState = z.output<typeof AciStateSchema>;

/** A fresh state: α = 1 − target for every one of `nOutputs` outputs. */
export function initialAciState(options: AciOptions, nOutputs: number): AciState {
  return {
    gamma: options.gamma,
    target: options.target,
    alpha: Array.from({ length: nOutputs }, () => 1 - options.target),
    updates: Array.from({ length: nOutputs }, () => 0),
  };
}

/** One actual of output `o`: the forecast it was made against and the value that happened. */
export interface AciObservation {
  output: number;
  predicted: number;
  actual: number;
}

/**
 * The coverage level served for output `o`: 1 − α, clamped to what the table can honour
 * (`capped` says the clamp bit, i.e. ACI asked for more than the calibration residuals allow).
 */
export function aciLevel(
  state: AciState,
  table: ConformalTable,
  o: number,
): { level: number; capped: boolean } {
  const want = 1 - state.alpha[o]!;
  const max = maxSupportedLevel(table);
  if (want >= max) return { level: max, capped: true };
  // Below the grid's first level the interval is the narrowest stored one; α > 1 cannot go further.
  return { level: Math.max(want, 0), capped: false };
}

/**
 * Half-widths of the adaptive interval for every output, with the level each used and whether it was
 * capped — what `/predict-interval` serves (ŷ ± width) and reports next to the interval.
 * @throws ConfigError when the state and table disagree on the outputs.
 */
export function aciHalfWidths(
  state: AciState,
  table: ConformalTable,
  levels: readonly number[],
): { width: Float64Array; level: number[]; capped: boolean[] } {
  assertFits(state, table);
  const served = state.alpha.map((_, o) => aciLevel(state, table, o));
  return {
    width: Float64Array.from(served, ({ level }, o) => halfWidth(table, levels, o, level)),
    level: served.map((s) => s.level),
    capped: served.map((s) => s.capped),
  };
}

function assertFits(state: AciState, table: ConformalTable): void {
  if (table.quantiles.length !== state.alpha.length) {
    // A retrained model with another horizon or target set: the caller starts a fresh state.
    const message = `state has ${state.alpha.length} outputs, the conformal table ${table.quantiles.length}`;
    throw new ConfigError(`ACI state does not fit the model: ${message}`, [{ path: 'aci.alpha', message }]);
  }
}

/**
 * Fold actuals into a copy of `state`: err = 1 when the actual fell outside the interval served at the
 * current level, then α ← α + γ·((1 − target) − err). Non-finite pairs are skipped.
 * @throws ConfigError when the state and table disagree on the outputs, or an output index fits neither.
 */
export function aciUpdate(
  state: AciState,
  table: ConformalTable,
  levels: readonly number[],
  observations: readonly AciObservation[],
): AciState {
  const alpha = state.alpha.slice();
  const updates = state.updates.slice();
  const next = { ...state, alpha, updates };
  assertFits(state, table);
  for (const [i, { output: o, predicted, actual }] of observations.entries()) {
    if (!Number.isInteger(o) || o < 0 || o >= alpha.length) {
      const message = `output ${o} is outside 0..${alpha.length - 1}`;
      throw new ConfigError(`ACI observation ${i}: ${message}`, [
        { path: `observations.${i}.output`, message },
      ]);
    }
    const residual = Math.abs(actual - predicted);
    if (!Number.isFinite(residual)) continue;
    const err = residual > halfWidth(table, levels, o, aciLevel(next, table, o).level) ? 1 : 0;
    alpha[o] = alpha[o]! + state.gamma * (1 - state.target - err);
    updates[o] = updates[o]! + 1;
  }
  return next;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Read the stored state at `key` (undefined when absent). @throws CheckpointError when it is corrupt. */
export async function readAciState(
  store: CheckpointStore,
  key: string,
): Promise<{ state: AciState; etag: string } | undefined> {
  const got = await store.get(key);
  if (!got) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(got.bytes));
  } catch (cause) {
    throw new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `ACI state ${store.describe(key)} is not JSON`,
      { key },
      cause,
    );
  }
  const parsed = AciStateSchema.safeParse(json);
  if (!parsed.success) {
    const message = `ACI state ${store.describe(key)} is malformed: ${parsed.error.message}`;
    throw new CheckpointError('CHECKPOINT_CORRUPT', message, { key });
  }
  return { state: parsed.data, etag: got.etag };
}

/**
 * Read-modify-write the state at `key` with compare-and-swap: `apply` sees the latest stored state (or
 * `initial` when none), and a write that lost a race is retried on the winner's state, so no update is
 * lost and a reader never sees a half-applied one. A corrupt stored state is refused, never overwritten.
 * @throws CheckpointConflictError after `attempts` lost races; CheckpointError on a corrupt state.
 */
export async function updateAciState(
  store: CheckpointStore,
  key: string,
  initial: () => AciState,
  apply: (state: AciState) => AciState,
  attempts = 8,
): Promise<AciState> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await readAciState(store, key);
    const next = apply(current ? current.state : initial());
    const bytes = encoder.encode(JSON.stringify(AciStateSchema.parse(next)));
    const etag = await store.put(key, bytes, { ifMatch: current ? current.etag : null });
    if (etag !== undefined) return next;
  }
  throw new CheckpointConflictError(
    `ACI state ${store.describe(key)} kept changing under ${attempts} attempts`,
    {
      key,
      attempts,
    },
  );
}
