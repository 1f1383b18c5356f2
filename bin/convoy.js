#!/usr/bin/env node
import '../dist/coordinator/cli/main.js';
