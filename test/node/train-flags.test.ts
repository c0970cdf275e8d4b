/** `train --conformal` and `--conformal-folds`: parsed by commander, laid over the config file's `train.conformal`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/node/cli/main.js';
import { trainConfigFromFlags } from '../../src/node/cli/train-flags.js';
import { TrainConfigSchema } from '../../src/runtime/schemas/train-config.js';
import { tempFiles } from './data/fixtures.js';

const files = tempFiles();
afterAll(() => files.cleanup());

/** The error commander raises for `train` with these arguments (its exit turned into a throw). */
function trainArgsError(args: string[]): string {
  const program = buildProgram();
  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({ writeErr: () => {} });
  }
  try {
    program.parse(['train', ...args], { from: 'user' });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('commander accepted the arguments');
}

describe('train --conformal', () => {
  it('overrides the method and folds of the config file, keeping its other conformal fields', async () => {
    const config = join(files.dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        data: { path: 'x.csv' },
        pipeline: { target: ['y'] },
        train: { conformal: { method: 'cv_plus', folds: 8, foldStride: 2 } },
      }),
    );
    const split = TrainConfigSchema.parse(await trainConfigFromFlags({ config, conformal: 'split' }));
    expect(split.train.conformal).toEqual({
      method: 'split',
      folds: 8,
      foldStride: 2,
      rescale: true,
      span: 'whole',
    });
    const folds = TrainConfigSchema.parse(await trainConfigFromFlags({ config, conformalFolds: 3 }));
    expect(folds.train.conformal).toMatchObject({ method: 'cv_plus', folds: 3, foldStride: 2 });
    // No flag and no file section: the default calibration.
    const bare = TrainConfigSchema.parse(await trainConfigFromFlags({ data: 'x.csv', target: 'y' }));
    expect(bare.train.conformal).toMatchObject({ method: 'cv_plus', folds: 4 });
  });

  it('refuses a method it does not know and a fold count below 1, naming the flag', () => {
    expect(trainArgsError(['--conformal', 'jackknife'])).toMatch(/--conformal <method>.*jackknife/);
    expect(trainArgsError(['--conformal-folds', '0'])).toMatch(/--conformal-folds <n>.*≥ 1/);
  });
});
