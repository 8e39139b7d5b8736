/** Every adapter the conformance suite runs. Adding an adapter is one line here and a file in targets/. */
import type { ConformanceTarget } from './fixture.js';
import { anthropicTarget } from './targets/anthropic.js';
import { azureTarget, azureV1Target } from './targets/azure.js';
import { bedrockApiKeyTarget } from './targets/bedrock-api-key.js';
import { bedrockTarget } from './targets/bedrock.js';
import { cohereTarget } from './targets/cohere.js';
import { geminiVertexTarget } from './targets/gemini-vertex.js';
import { geminiTarget } from './targets/gemini.js';
import { openaiTarget } from './targets/openai.js';

export const CONFORMANCE_TARGETS: ConformanceTarget[] = [openaiTarget, anthropicTarget, bedrockTarget, bedrockApiKeyTarget, azureTarget, azureV1Target, geminiTarget, geminiVertexTarget, cohereTarget];
