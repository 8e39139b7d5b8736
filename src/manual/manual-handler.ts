/**
 * Manual route: the floor of a chain, answering when no model can. Three kinds: a static
 * degraded-mode answer, rule-based answers from a small knowledge base, and a human handoff that
 * files the request with a webhook and answers with a ticket reference.
 */
import type { ManualConfig } from '../config/schema.js';
import type { ChatBody } from '../providers/types.js';
import type { Env } from '../providers/http/egress-proxy.js';
import { createHandoff } from './handoff.js';
import { createRules } from './rules.js';

export interface ManualContext {
  requestId: string;
  route: string;
  /** The failures that led here, for the handoff's ticket. */
  failures: { deployment: string; shape?: string; message?: string }[];
  signal: AbortSignal;
}

export interface ManualHandler {
  name: string;
  type: ManualConfig['type'];
  /** The answer's text; throws StepSkipped when it has nothing to say (no rule matched). */
  answer(body: ChatBody, context: ManualContext): Promise<string>;
}

/** `env`: where a handoff's `proxy: env` looks. */
export function createManualHandler(name: string, config: ManualConfig, env: Env): ManualHandler {
  switch (config.type) {
    case 'static':
      return { name, type: 'static', answer: async () => config.answer };
    case 'rules':
      return { name, type: 'rules', answer: createRules(config) };
    case 'handoff':
      return { name, type: 'handoff', answer: createHandoff(name, config, env) };
  }
}

/** The text of the last user message (string content, or its text parts). */
export function lastUserText(body: ChatBody): string {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const message = body.messages[i] as { role?: unknown; content?: unknown };
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (Array.isArray(message.content)) {
      return message.content
        .map((part: unknown) => (typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text' ? String((part as { text?: unknown }).text ?? '') : ''))
        .join(' ');
    }
    return '';
  }
  return '';
}
