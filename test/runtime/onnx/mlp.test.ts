/** The MLP exporter refuses a spec whose layers do not chain, naming the layer, before writing any ONNX. */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/runtime/errors.js';
import { exportModel, predictInMemory } from '../../../src/runtime/models/export.js';
import type { MlpSpec } from '../../../src/runtime/models/spec.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';

const layer = (inputs: number, outputs: number, w = 0.1) => ({
  inputs,
  outputs,
  weights: new Float64Array(inputs * outputs).map((_, i) => w * Math.sin(i + 1)),
  bias: new Float64Array(outputs).fill(0.05),
});

/** 3 features → 4 hidden → 2 outputs (horizon 2), with the shortcut and a residual over feature 2. */
const spec = (): MlpSpec => ({
  kind: 'mlp',
  label: 'tiny',
  nFeatures: 3,
  horizon: 2,
  nTargets: 1,
  inputMean: Float64Array.from([1, -1, 0]),
  inputScale: Float64Array.from([0.5, 2, 0]),
  layers: [layer(3, 4), layer(4, 2)],
  skip: { ...layer(3, 2, 0.3), bias: new Float64Array(2) },
  residualOf: Int32Array.from([2, 2]),
  training: { epochs: 1, bestEpoch: 1, validationMae: null },
});

describe('mlp export', () => {
  it('runs in onnxruntime-web as the reference computes it (standardise, ReLU, shortcut, residual)', async () => {
    const s = spec();
    const x = Float32Array.from([1, 2, 3, -4, 0.5, 7]);
    const reference = predictInMemory(s, Float64Array.from(x), 2);
    const model = await createOnnxEngine().load(exportModel(s), 'tiny');
    const onnx = await model.run(x, 2, 3);
    await model.release();
    for (let k = 0; k < 4; k++) expect(Math.abs(onnx[k]! - reference[k]!)).toBeLessThan(1e-6);
  });

  it('refuses layers that do not chain, a shortcut with a bias, a residual outside the features', () => {
    const refuse = (s: MlpSpec, message: RegExp) => {
      expect(() => exportModel(s)).toThrow(ModelError);
      expect(() => exportModel(s)).toThrow(message);
    };
    refuse({ ...spec(), layers: [layer(3, 4), layer(5, 2)] }, /layer 1 takes 5 inputs, the previous gives 4/);
    refuse({ ...spec(), layers: [layer(3, 4), layer(4, 3)] }, /the last layer gives 3 outputs/);
    refuse({ ...spec(), skip: layer(3, 2) }, /skip layer must map 3 inputs to 2 outputs with a zero bias/);
    refuse({ ...spec(), residualOf: Int32Array.from([2, 3]) }, /residualOf\[1\] = 3 is not a feature index/);
    refuse({ ...spec(), inputScale: new Float64Array(2) }, /inputMean and inputScale must hold 3 values/);
  });
});
