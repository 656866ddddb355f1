/**
 * README Markdown → HTML that cannot run anything: markdown-it with raw HTML off (so `<script>`
 * and `<img onerror>` come out as text), links limited to http(s), mailto and relative URLs
 * (no `javascript:`, `data:`, `vbscript:`…), and images turned into plain links, because the
 * site never makes a request to another host on its own.
 *
 * @example renderMarkdown('# Hi\n[x](javascript:alert(1))') // '<h1>Hi</h1>\n<p>[x](javascript:alert(1))</p>\n'
 */
import MarkdownIt from 'markdown-it';

type Md = ReturnType<typeof MarkdownIt>;
import { esc } from './html.ts';

const SCHEME = /^([a-z][a-z0-9+.-]*):/;
const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto']);

/** True for URLs a README may link to. */
export function isSafeLink(url: string): boolean {
  // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
  const s = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  const m = SCHEME.exec(s);
  if (!m) return !s.startsWith('//') && !s.startsWith('\\'); // relative or #anchor, same host
  return ALLOWED_SCHEMES.has(m[1]!);
}

function createRenderer(): Md {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  md.validateLink = isSafeLink;
  md.renderer.rules.image = (tokens, idx) => {
    const t = tokens[idx]!;
    const src = t.attrGet('src') ?? '';
    const alt = t.children ? md.renderer.renderInlineAsText(t.children, md.options, {}) : t.content;
    return `<a href="${esc(src)}" rel="nofollow noopener noreferrer">[image: ${esc(alt || src)}]</a>`;
  };
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    tokens[idx]!.attrSet('rel', 'nofollow noopener noreferrer');
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return md;
}

let shared: Md | undefined;

export function renderMarkdown(text: string): string {
  // The renderer is configuration only (no per-call state), so one instance is reused.
  shared ??= createRenderer();
  return shared.render(text);
}
