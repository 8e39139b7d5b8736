/**
 * Every wire format the mock server speaks. One server answers all of them at once, each on its
 * provider's own paths; adding a dialect is one line here and a folder of its own.
 */
import type { MockDialect } from '../dialect.js';
import { anthropicDialect } from './anthropic/index.js';
import { azureDialect } from './azure/index.js';
import { bedrockDialect } from './bedrock/index.js';
import { cohereDialect } from './cohere/index.js';
import { geminiDialect } from './gemini/index.js';
import { openaiDialect } from './openai.js';

export const MOCK_DIALECTS: readonly MockDialect[] = [openaiDialect, anthropicDialect, geminiDialect, cohereDialect, bedrockDialect, azureDialect];
