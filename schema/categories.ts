/** The fixed category list. Packages may only use these slugs. */
export const CATEGORIES = [
  { slug: 'algorithms', name: 'Algorithms' },
  { slug: 'async', name: 'Asynchronous' },
  { slug: 'cli', name: 'Command line' },
  { slug: 'compilers', name: 'Compilers' },
  { slug: 'concurrency', name: 'Concurrency' },
  { slug: 'cryptography', name: 'Cryptography' },
  { slug: 'data-structures', name: 'Data structures' },
  { slug: 'database', name: 'Databases' },
  { slug: 'date-and-time', name: 'Date and time' },
  { slug: 'development-tools', name: 'Development tools' },
  { slug: 'embedded', name: 'Embedded' },
  { slug: 'encoding', name: 'Encoding' },
  { slug: 'filesystem', name: 'Filesystem' },
  { slug: 'game-development', name: 'Game development' },
  { slug: 'graphics', name: 'Graphics' },
  { slug: 'gui', name: 'GUI' },
  { slug: 'math', name: 'Mathematics' },
  { slug: 'network', name: 'Networking' },
  { slug: 'parsing', name: 'Parsing' },
  { slug: 'testing', name: 'Testing' },
  { slug: 'text', name: 'Text processing' },
  { slug: 'ui', name: 'User interfaces' },
  { slug: 'web', name: 'Web' },
] as const;

export type CategorySlug = (typeof CATEGORIES)[number]['slug'];
export const CATEGORY_SLUGS: readonly string[] = CATEGORIES.map((c) => c.slug);

export function isCategory(slug: string): slug is CategorySlug {
  return CATEGORY_SLUGS.includes(slug);
}
