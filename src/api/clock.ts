// The API's notion of "now", injectable so tests can expire tokens without waiting.
import type { AppDeps } from './types.js';

export const clockOf = (deps: AppDeps): (() => Date) => deps.now ?? (() => new Date());
