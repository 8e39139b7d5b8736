/**
 * Every wire format the mock server speaks. One server answers all of them at once, each on its
 * provider's own paths; adding a dialect is one line here and a folder of its own.
 */
import type { MockDialect } from '../dialect.js';
import { openaiDialect } from './openai.js';

export const MOCK_DIALECTS: readonly MockDialect[] = [openaiDialect];
