import { expect, it } from 'vitest';
import {
  keyProblem,
  parseVersionDir,
  versionDir,
  versionsInKeys,
} from '../../../src/runtime/checkpoint/keys.js';

it('pads version folders to four digits and parses them back', () => {
  expect(versionDir(3)).toBe('v0003');
  expect(versionDir(12345)).toBe('v12345');
  expect(parseVersionDir('v0003')).toBe(3);
  expect(parseVersionDir('v3')).toBeUndefined();
  expect(parseVersionDir('_checkpoint_manifest.json')).toBeUndefined();
});

it('finds version folders among keys, ignoring other checkpoints and files', () => {
  const keys = [
    't/_checkpoint_manifest.json',
    't/v0002/a',
    't/v0001/a',
    't/v0001/b',
    't/x/v0009/a',
    'tt/v0005/a',
  ];
  expect(versionsInKeys('t', keys)).toEqual([1, 2]);
});

it('explains unsafe keys', () => {
  expect(keyProblem('models/twiga')).toBeUndefined();
  expect(keyProblem('a/../b')).toContain('".."');
  expect(keyProblem('/abs')).toContain('relative');
  expect(keyProblem('a/')).toContain('empty segments');
});
