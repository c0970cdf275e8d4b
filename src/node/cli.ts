#!/usr/bin/env node
/** Executable entry of the `twiga-edge` command. */
import { main } from './cli/main.js';

process.exitCode = await main(process.argv);
