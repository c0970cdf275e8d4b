/** Bring your own ONNX: wrap models written by another tool (onnxmltools, skl2onnx, …) in a checkpoint. */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { saveCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import { ConfigError, DataError, ModelError } from '../runtime/errors.js';
import { calendarFeatureNames } from '../runtime/features/calendar.js';
import { buildLayout } from '../runtime/features/layout.js';
import type { FittedPipeline } from '../runtime/features/pipeline.js';
import { type ScalerParams, ScalerParamsSchema } from '../runtime/features/scalers.js';
import { encodePipelineFile, type ModelEntry, PIPELINE_FILE } from '../runtime/forecaster-files.js';
import type { OnnxEngine } from '../runtime/onnx/engine.js';
import { ENSEMBLE_STRATEGIES } from '../runtime/schemas/forecaster-config.js';
import { parseWith } from '../runtime/schemas/parse.js';
import { PipelineConfigInput, PipelineConfigSchema } from '../runtime/schemas/pipeline-config.js';
import { createNodeEngine } from './engine.js';
import { FsCheckpointStore } from './fs-store.js';

const label = z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'use letters, digits, "_" or "-"' });

/** The import spec: the pipeline that builds the model's input, and the ONNX files. */
export const ImportSpecSchema = z
  .object({
    pipeline: PipelineConfigInput,
    /**
     * Scalers the model was trained with: `(x − center) / scale` on inputs, forecasts inverse-scaled.
     * Omitted columns get `none` (the model sees and returns raw values).
     */
    scalers: z
      .object({
        target: z.record(z.string(), ScalerParamsSchema).default({}),
        inputs: z.record(z.string(), ScalerParamsSchema).default({}),
      })
      .default({ target: {}, inputs: {} }),
    models: z
      .array(
        z
          .object({
            /** Path to the .onnx file (relative to the spec file). */
            file: z.string().min(1),
            label,
            /** What it is, for display: e.g. `lightgbm`, `ridge`. */
            kind: z.string().default('onnx'),
            /** Input tensor name; defaults to the model's only input. */
            input: z.string().optional(),
            /** Output tensor name; defaults to its first output. */
            output: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
    ensemble: z.enum(ENSEMBLE_STRATEGIES).default('mean'),
  })
  .strict();
/** The pipeline and model files `import-onnx` wraps in a checkpoint. */
export type ImportSpec = z.input<typeof ImportSpecSchema>;

/** The spec (object or JSON file), checkpoint root, name and engine of `importOnnx`. */
export interface ImportOptions {
  /** The spec as an object, or the path of a JSON file holding it. */
  spec: ImportSpec | string;
  checkpoints: string;
  name: string;
  engine?: OnnxEngine;
}

const NONE: ScalerParams = { kind: 'none', center: 0, scale: 1 };

/**
 * Check each model against the pipeline (one row of zeros in, `horizon × targets` values out, through
 * the engine that serves: lean when it runs the graph, else onnxruntime-web) and save them as a checkpoint.
 * @example
 * await importOnnx({ spec: 'lightgbm/spec.json', checkpoints: 'checkpoints', name: 'load-lgbm' });
 */
export async function importOnnx(
  options: ImportOptions,
): Promise<{ checkpoint_path: string; version: number; models: string[] }> {
  const base = typeof options.spec === 'string' ? dirname(resolve(options.spec)) : process.cwd();
  const raw = typeof options.spec === 'string' ? await readJson(options.spec) : options.spec;
  const spec = parseWith(ImportSpecSchema, raw, 'import spec');
  const config = parseWith(PipelineConfigSchema, spec.pipeline, 'pipeline config', 'pipeline');
  const pipeline: FittedPipeline = {
    config,
    scalers: {
      target: Object.fromEntries(config.target.map((c) => [c, spec.scalers.target[c] ?? NONE])),
      inputs: Object.fromEntries(
        [...config.pastExogenous, ...config.exogenous].map((c) => [c, spec.scalers.inputs[c] ?? NONE]),
      ),
    },
    layout: buildLayout({ ...config, calendarNames: calendarFeatureNames(config.calendar, config.fourier) }),
  };
  const F = pipeline.layout.nFeatures;
  const nOut = config.horizon * config.target.length;
  const engine = options.engine ?? createNodeEngine();
  const files: Record<string, Uint8Array> = {};
  const entries: ModelEntry[] = [];
  for (const m of spec.models) {
    const path = resolve(base, m.file);
    const bytes = await readFile(path).catch((cause: unknown) => {
      throw new DataError(`cannot read ONNX model "${m.label}" at ${path}`, { path }, cause);
    });
    const io = { ...(m.input ? { input: m.input } : {}), ...(m.output ? { output: m.output } : {}) };
    const model = await engine.load(new Uint8Array(bytes), m.label, io);
    const probe = await model.run(new Float32Array(F), 1, F);
    await model.release();
    if (probe.length !== nOut) {
      throw new ModelError(
        `model "${m.label}" returns ${probe.length} values per row; the pipeline needs horizon × targets = ${config.horizon} × ${config.target.length} = ${nOut} (input: ${F} features)`,
        { model: m.label, outputs: probe.length, expected: nOut, features: F },
      );
    }
    files[`${m.label}.onnx`] = new Uint8Array(bytes);
    entries.push({
      label: m.label,
      kind: m.kind,
      file: `${m.label}.onnx`,
      config: { imported_from: path },
      ...io,
    });
  }
  const labels = entries.map((e) => e.label);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup)
    throw new ConfigError(`two models share the label "${dup}"`, [
      { path: 'models', message: `duplicate label "${dup}"` },
    ]);
  files[PIPELINE_FILE] = encodePipelineFile({
    pipeline,
    models: entries,
    ensemble: spec.ensemble,
    trained: { imported: true },
  });
  const store = new FsCheckpointStore(options.checkpoints);
  const saved = await saveCheckpoint(store, options.name, files, {
    modelType: `imported[${labels.join(',')}]`,
    checkpointFile: PIPELINE_FILE,
  });
  return { checkpoint_path: store.describe(saved.key), version: saved.version, models: labels };
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new DataError(`cannot read import spec ${path}`, { path }, cause);
  });
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`import spec ${path} is not valid JSON: ${(cause as Error).message}`, [
      { path: '--spec', message: 'invalid JSON' },
    ]);
  }
}
