// How tests run the `tether` command. `npm test` builds first and sets TETHER_TEST_BUILT=1:
// then tests start the built dist/cli/main.js with plain node (about ten times faster to
// start than tsx, and it is what users run). Without it (a single test file run by hand)
// they run the TypeScript source through tsx, so no build is needed.
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

const built = process.env.TETHER_TEST_BUILT === '1';

/** Arguments for process.execPath that run `tether ARGS...`. */
export function tetherArgs(args: string[]): string[] {
  return built
    ? [join(REPO_ROOT, 'dist', 'cli', 'main.js'), ...args]
    : ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args];
}
