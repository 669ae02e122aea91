#!/usr/bin/env node
// Committed so that npm links the command at install time, before the bundle is built (npm run build).
import '../bundle/exrollout-agent.mjs';
