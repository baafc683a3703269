#!/usr/bin/env node
// The `warden` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import { main } from '../dist/cli/index.js';

// A reader that stops early (`warden match … | head`) is normal: stop quietly instead of crashing.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv, process.env);
