#!/usr/bin/env node
// The saliency-explainer command (built from src/cli by `npm run build`).
import { main } from '../dist/cli/main.js';

// A reader that stops early (`saliency-explainer methods | head -3`) closes the pipe. Stop there, quietly
// and with the status a shell gives any Unix tool that SIGPIPE stopped (128 + 13), instead of a stack trace.
const SIGPIPE_STATUS = 141;
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(SIGPIPE_STATUS);
});

process.exitCode = await main(process.argv.slice(2));
