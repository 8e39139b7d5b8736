/**
 * Azure OpenAI opens a stream with a chunk that has no choices, only `prompt_filter_results` (and
 * an empty id, model and object). It says the prompt passed the filters; a canonical stream has no
 * such chunk and a strict client would choke on its empty `object`, so it is left out.
 */
import type { StreamChunk } from '../types.js';

const MARKER = '"prompt_filter_results"';

export async function* dropPromptFilterChunks(chunks: AsyncIterator<StreamChunk, void>): AsyncGenerator<StreamChunk, void> {
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    if (!isPromptFilterChunk(next.value)) yield next.value;
  }
}

function isPromptFilterChunk(chunk: StreamChunk): boolean {
  // Cheap tests first: most chunks carry content and never contain the marker.
  if (chunk.hasContent || chunk.finishReason || chunk.usage || !chunk.data.includes(MARKER)) return false;
  const payload = JSON.parse(chunk.data) as { choices?: unknown };
  return Array.isArray(payload.choices) && payload.choices.length === 0;
}
