import { describe, expect, it } from 'vitest';
import { isSafeLink, renderMarkdown } from '../../web/renderMarkdown.ts';

/** Anything that could run code in a page, however it is spelled. */
const ATTACKS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '[x](javascript:alert(1))',
  '[x](JAVASCRIPT:alert(1))',
  '[x](java\tscript:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](javascript:alert(1))',
  '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '[x][ref]\n\n[ref]: javascript:alert(1)',
  '<iframe src="https://evil.example"></iframe>',
  '<style>body{display:none}</style>',
  '<form action="https://evil.example"><button>go</button></form>',
];

describe('renderMarkdown', () => {
  it.each(ATTACKS)('renders %j with no tag, handler or URL that can run code', (src) => {
    const html = renderMarkdown(src);
    // Only real tags matter: escaped text such as `&lt;img onerror=…&gt;` is harmless.
    const tags = (html.match(/<[a-zA-Z][^>]*>/g) ?? []).join(' ');
    expect(tags).not.toMatch(/<(script|img|svg|iframe|style|form|object|embed)\b/i);
    expect(tags).not.toMatch(/\son[a-z]+\s*=/i);
    expect(tags).not.toMatch(/(href|src)="\s*(javascript|vbscript|data):/i);
  });

  it('keeps ordinary Markdown: headings, emphasis, code, safe links, tables of contents', () => {
    const html = renderMarkdown('# Title\n\n*em* `code`\n\n```\nlet x = 1 < 2\n```\n\n[docs](https://example.com/a?b=1&c=2) [top](#title) [mail](mailto:a@example.com)');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<em>em</em>');
    expect(html).toContain('<code>let x = 1 &lt; 2\n</code>');
    expect(html).toContain('<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">docs</a>');
    expect(html).toContain('href="#top"'.replace('top', 'title'));
    expect(html).toContain('href="mailto:a@example.com"');
  });

  it('turns images into links, so a README makes the page fetch nothing from other hosts', () => {
    const html = renderMarkdown('![logo](https://cdn.example.com/logo.png)');
    expect(html).not.toContain('<img');
    expect(html).toContain('<a href="https://cdn.example.com/logo.png" rel="nofollow noopener noreferrer">[image: logo]</a>');
  });

  it.each([
    ['https://example.com', true], ['http://example.com', true], ['mailto:x@y.z', true], ['#anchor', true], ['docs/a.md', true],
    ['javascript:alert(1)', false], [' JavaScript:alert(1)', false], ['java\nscript:x', false], ['data:text/html,x', false],
    ['vbscript:x', false], ['file:///etc/passwd', false], ['//evil.example/x', false],
  ])('isSafeLink(%j) is %s', (url, ok) => {
    expect(isSafeLink(url)).toBe(ok);
  });
});
