import { MemoryCheckpointStore } from '../../../src/runtime/checkpoint/index.js';
import { checkpointSuite } from './checkpoint-suite.js';

checkpointSuite('memory store', async () => new MemoryCheckpointStore());
