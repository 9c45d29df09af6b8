// Each test file gets a config folder of its own, inside the run's (global-setup.ts): the endpoints a file's
// CLI runs remember (src/register/trusted-endpoints.ts) stay in it. A run trusts hundreds of loopback
// endpoints on free ports; shared by all files, one that another file had trusted could turn up again as
// the "never used on this machine" Logto a test expects to be asked about.
import { mkdtempSync } from 'node:fs';
import path from 'node:path';

const runConfigHome = process.env.XDG_CONFIG_HOME;
if (!runConfigHome) throw new Error('XDG_CONFIG_HOME is not set: test/support/global-setup.ts should have set it');
process.env.XDG_CONFIG_HOME = mkdtempSync(path.join(runConfigHome, 'file-'));
