/**
 * How text becomes search terms: lowercase, split on anything that is not a letter or digit,
 * common English words dropped. The same function runs on documents and on queries, so the
 * two always agree.
 */
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'into', 'is', 'it', 'its',
  'of', 'on', 'or', 'that', 'the', 'this', 'to', 'with', 'your', 'you',
]);

/** Distinct terms of `text` in first-seen order. */
export function searchTerms(text: string | null | undefined, opts: { keepStopWords?: boolean } = {}): string[] {
  if (!text) return [];
  const out = new Set<string>();
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length === 0 || raw.length > 40) continue;
    if (!opts.keepStopWords && STOP_WORDS.has(raw)) continue;
    out.add(raw);
  }
  return [...out];
}
