import { expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../../../src/runtime/checkpoint/index.js';
import { storeContract } from './store-contract.js';

storeContract('MemoryCheckpointStore', async () => new MemoryCheckpointStore());

it('describes keys with its label', () => {
  expect(new MemoryCheckpointStore('browser').describe('twiga/v0001')).toBe('memory://browser/twiga/v0001');
});
