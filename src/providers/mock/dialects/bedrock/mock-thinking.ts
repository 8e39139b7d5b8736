/**
 * Claude's extended thinking through Converse, as the mock does it: checks a request the way
 * Bedrock and Anthropic do, and gives deterministic reasoning signed so that the mock can tell its
 * own when a client sends it back (the Anthropic dialect's too: Claude's signatures hold across
 * platforms).
 *
 * A request asks for thinking in `additionalModelRequestFields.thinking`: a budget
 * (`{type: "enabled", budget_tokens}`) or adaptive (`{type: "adaptive"}`, the effort in
 * `output_config.effort`). What Claude refuses is a ValidationException: a budget under 1,024 or
 * not under maxTokens; a temperature other than 1 or a topP under 0.95; a toolChoice that forces
 * a tool; replayed reasoning whose signature is not the mock's; and, in a tool loop, an assistant
 * turn that does not start with its reasoning.
 *
 * Amazon Nova 2 asks in `additionalModelRequestFields.reasoningConfig` (`maxReasoningEffort` low,
 * medium or high; with high, no `maxTokens`), and its reasoning comes back redacted and unsigned,
 * as Amazon documents; another Nova model refuses `reasoningConfig`, as Bedrock does.
 */
import { z } from 'zod';
import { messageText } from '../../estimate-tokens.js';
import type { MockError } from '../../mock-errors.js';
import type { MockChatRequest } from '../../mock-request.js';
import { isNova2 } from '../../../bedrock/bedrock-thinking.js';
import { signatureFits, signThinking } from '../../sign-thinking.js';
import { bedrockError } from './bedrock-errors.js';

/** Claude's smallest thinking budget. */
const MIN_BUDGET = 1024;
/** The lowest topP Claude takes with thinking on. */
const MIN_TOP_P = 0.95;
/** maxTokens when a request sets none: Bedrock fills in a model default, and the mock takes this one. */
const DEFAULT_MAX_TOKENS = 4096;
/** Effort names Claude takes in `output_config.effort`. */
const EFFORTS = new Set(['low', 'medium', 'high', 'xhigh', 'max']);
/** How much of the last user message the reasoning quotes. */
const QUOTE_CHARS = 40;
/** What Nova 2 gives as its reasoning text. */
export const NOVA_REDACTED = '[REDACTED]';

const reasoningSchema = z.looseObject({
  reasoningText: z.looseObject({ text: z.string(), signature: z.string().optional() }).optional(),
  redactedContent: z.string().optional(),
});

const thinkingRequestSchema = z.looseObject({
  messages: z.array(z.looseObject({ role: z.string(), content: z.array(z.looseObject({ toolResult: z.unknown().optional(), reasoningContent: reasoningSchema.optional() })) })),
  inferenceConfig: z.looseObject({ maxTokens: z.number().optional(), temperature: z.number().optional(), topP: z.number().optional() }).optional(),
  toolConfig: z.looseObject({ toolChoice: z.looseObject({ any: z.unknown().optional(), tool: z.unknown().optional() }).optional() }).optional(),
  additionalModelRequestFields: z
    .looseObject({
      thinking: z.looseObject({ type: z.string(), budget_tokens: z.unknown().optional() }).optional(),
      output_config: z.looseObject({ effort: z.string().optional() }).optional(),
      reasoningConfig: z.looseObject({ type: z.string(), maxReasoningEffort: z.string().optional() }).optional(),
    })
    .optional(),
});

type ThinkingRequest = z.infer<typeof thinkingRequestSchema>;

/** Whether the request asks for reasoning, and whose: Claude's (signed) or Nova's (redacted). */
export type ThinkingCheck = { ok: true; thinks: false | 'claude' | 'nova' } | { ok: false; error: MockError };

/** The reasoning block the mock answers with. */
export interface MockReasoning {
  text: string;
  /** Claude's; Nova signs nothing. */
  signature?: string;
}

/** Whether the request asks for thinking, or Bedrock's ValidationException for what the model would refuse. */
export function checkThinking(body: unknown, modelId: string): ThinkingCheck {
  const parsed = thinkingRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(`${issue?.path.map(String).join('.') || 'body'}: ${issue?.message ?? 'invalid value'}`);
  }
  const request = parsed.data;
  const forged = forgedReasoning(request);
  if (forged) return refuse(forged);
  const reasoningConfig = request.additionalModelRequestFields?.reasoningConfig;
  if (reasoningConfig !== undefined) return checkNovaReasoning(reasoningConfig, modelId, request.inferenceConfig?.maxTokens);
  const thinking = request.additionalModelRequestFields?.thinking;
  if (thinking === undefined || thinking.type === 'disabled') return { ok: true, thinks: false };
  const config = request.inferenceConfig ?? {};
  if (thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < MIN_BUDGET) return refuse(`thinking.budget_tokens: must be an integer of at least ${MIN_BUDGET}.`);
    const maxTokens = config.maxTokens ?? DEFAULT_MAX_TOKENS;
    if (budget >= maxTokens) return refuse(`maxTokens (${maxTokens}) must be greater than thinking.budget_tokens (${budget}).`);
  } else if (thinking.type === 'adaptive') {
    const effort = request.additionalModelRequestFields?.output_config?.effort;
    if (effort !== undefined && !EFFORTS.has(effort)) return refuse(`output_config.effort: ${JSON.stringify(effort)} is not one of ${[...EFFORTS].join(', ')}.`);
  } else {
    return refuse(`thinking.type: ${JSON.stringify(thinking.type)} is not one of enabled, adaptive, disabled.`);
  }
  if (config.temperature !== undefined && config.temperature !== 1) return refuse('temperature may only be 1 when thinking is enabled.');
  if (config.topP !== undefined && config.topP < MIN_TOP_P) return refuse(`topP must be at least ${MIN_TOP_P} when thinking is enabled.`);
  const choice = request.toolConfig?.toolChoice;
  if (choice?.any !== undefined || choice?.tool !== undefined) return refuse('thinking cannot be enabled when toolChoice forces the use of a tool.');
  const unsigned = request.messages.findIndex((message) => message.content.some((block) => block.reasoningContent?.reasoningText && block.reasoningContent.reasoningText.signature === undefined));
  if (unsigned >= 0) return refuse(`messages.${unsigned}: a reasoningText block needs its signature when thinking is enabled.`);
  const lost = toolLoopWithoutReasoning(request);
  if (lost) return refuse(lost);
  return { ok: true, thinks: 'claude' };
}

/** Nova 2's reasoningConfig, checked as Bedrock does; any other model refuses the field. */
function checkNovaReasoning(config: { type: string; maxReasoningEffort?: string | undefined }, modelId: string, maxTokens: number | undefined): ThinkingCheck {
  if (!isNova2(modelId)) return refuse('Malformed input request: the provided reasoning config value is invalid, please reformat your input and try again.');
  if (config.type === 'disabled') return { ok: true, thinks: false };
  if (config.type !== 'enabled') return refuse(`reasoningConfig.type: ${JSON.stringify(config.type)} is not one of enabled, disabled.`);
  const effort = config.maxReasoningEffort;
  if (effort !== 'low' && effort !== 'medium' && effort !== 'high') return refuse(`reasoningConfig.maxReasoningEffort: ${JSON.stringify(effort)} is not one of low, medium, high.`);
  if (effort === 'high' && maxTokens !== undefined) return refuse('maxTokens must not be set when reasoningConfig.maxReasoningEffort is high.');
  return { ok: true, thinks: 'nova' };
}

/** The mock's reasoning for a request: Claude's deterministic text from the last user message, signed; Nova's redacted. */
export function mockReasoning(request: MockChatRequest, whose: 'claude' | 'nova'): MockReasoning {
  if (whose === 'nova') return { text: NOVA_REDACTED };
  const lastUser = request.messages.findLast((message) => message.role === 'user');
  const quote = lastUser ? messageText(lastUser.content).slice(0, QUOTE_CHARS) : '';
  const text = `Mock reasoning about "${quote}": weigh the question, then answer it plainly.`;
  return { text, signature: signThinking(text) };
}

/** What is wrong with the first replayed reasoning block whose signature is not the mock's, if any. */
function forgedReasoning(request: ThinkingRequest): string | undefined {
  for (const [turn, message] of request.messages.entries()) {
    for (const [index, block] of message.content.entries()) {
      const reasoning = block.reasoningContent?.reasoningText;
      if (reasoning?.signature === undefined) continue;
      if (!signatureFits(reasoning.text, reasoning.signature)) {
        return `messages.${turn}.content.${index}: the signature of the reasoningText block does not match its text.`;
      }
    }
  }
  return undefined;
}

/**
 * In a tool loop (the last user turn returns tool results), Claude with thinking on wants the
 * assistant turn that called the tools to start with the reasoning that led to the calls.
 */
function toolLoopWithoutReasoning(request: ThinkingRequest): string | undefined {
  const last = request.messages.length - 1;
  const lastTurn = request.messages[last];
  if (lastTurn?.role !== 'user' || !lastTurn.content.some((block) => block.toolResult !== undefined)) return undefined;
  const assistant = request.messages[last - 1];
  if (assistant?.role !== 'assistant' || assistant.content[0]?.reasoningContent !== undefined) return undefined;
  return `messages.${last - 1}.content.0: with thinking enabled, the assistant turn before the tool results must start with its reasoningContent block.`;
}

function refuse(message: string): ThinkingCheck {
  return { ok: false, error: bedrockError(400, 'ValidationException', `The model returned the following errors: ${message}`) };
}
