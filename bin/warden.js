#!/usr/bin/env node
// The `warden` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import { main } from '../dist/cli/index.js';

process.exitCode = await main(process.argv, process.env);
