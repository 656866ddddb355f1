/**
 * A small .gitignore matcher (git's pattern rules): comments, `!` negation, trailing `/` for
 * directories only, patterns with a slash anchored to the ignore file's folder, `*`, `?`, `[…]`
 * and `**`. The last matching pattern wins. Used for .gitignore and .ravenignore when packing.
 *
 * @example
 *   const rules = ignoreRules({ text: 'dist/\n*.log\n!keep.log', base: '' });
 *   rules.match('a/b.log', false) // true (ignored)
 */
export interface IgnoreRules {
  /** true: ignored, false: explicitly re-included, undefined: no pattern says anything. */
  match(relPath: string, isDir: boolean): boolean | undefined;
}

interface Rule {
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

export function ignoreRules({ text, base }: { text: string; base: string }): IgnoreRules {
  const rules: Rule[] = [];
  for (let line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    line = line.replace(/(?<!\\)\s+$/, '');
    if (line === '') continue;
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
      line = line.slice(1);
    }
    let dirOnly = false;
    if (line.endsWith('/')) {
      dirOnly = true;
      line = line.replace(/\/+$/, '');
    }
    if (line === '') continue;
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const body = globToRegex(line);
    rules.push({ re: new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`), negate, dirOnly });
  }
  const prefix = base === '' ? '' : base.replace(/\/$/, '') + '/';
  return {
    match(relPath, isDir) {
      if (prefix && !relPath.startsWith(prefix)) return undefined;
      const p = relPath.slice(prefix.length);
      let result: boolean | undefined;
      for (const r of rules) {
        if (r.dirOnly && !isDir) continue;
        if (r.re.test(p)) result = !r.negate;
      }
      return result;
    },
  };
}

function globToRegex(p: string): string {
  let out = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      const atStart = i === 0 || p[i - 1] === '/';
      const next = p[i + 2];
      if (atStart && next === '/') {
        out += '(?:.*/)?';
        i += 3;
        continue;
      }
      if (atStart && next === undefined) {
        out += '.*';
        i += 2;
        continue;
      }
      out += '[^/]*';
      i += 2;
      continue;
    }
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < p.length) {
      out += escape(p[i + 1]!);
      i += 2;
      continue;
    } else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end === -1) out += '\\[';
      else {
        let cls = p.slice(i + 1, end);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        out += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end + 1;
        continue;
      }
    } else out += escape(c);
    i++;
  }
  return out;
}

function escape(c: string): string {
  return /[.+^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
