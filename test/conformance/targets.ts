/** Every adapter the conformance suite runs. Adding an adapter is one line here and a file in targets/. */
import type { ConformanceTarget } from './fixture.js';
import { openaiTarget } from './targets/openai.js';

export const CONFORMANCE_TARGETS: ConformanceTarget[] = [openaiTarget];
