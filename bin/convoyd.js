#!/usr/bin/env node
import '../dist/coordinator/main.js';
