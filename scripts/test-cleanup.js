// After a test run: what the test daemons share and leave on the host (moord's isolation
// chains, once empty) is removed. Needs the build (dist/).
import process from 'node:process';

import { removeEmptyIsolationChains } from '../dist/test/helpers/network.js';

if (process.getuid?.() === 0) await removeEmptyIsolationChains();
