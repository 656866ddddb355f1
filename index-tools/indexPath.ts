/**
 * Where a package's file lives in the index (Cargo's layout), from its lowercased name:
 * 1 char → `1/{n}`; 2 → `2/{n}`; 3 → `3/{n[0]}/{n}`; 4+ → `{n[0..2]}/{n[2..4]}/{n}`.
 *
 * @example indexPath('raven-ui') // 'ra/ve/raven-ui'
 */
export function indexPath(name: string): string {
  const n = name.toLowerCase();
  switch (n.length) {
    case 0:
      throw new Error('indexPath: empty name');
    case 1:
      return `1/${n}`;
    case 2:
      return `2/${n}`;
    case 3:
      return `3/${n[0]}/${n}`;
    default:
      return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
  }
}

/** The inverse check: is `p` the path the rule gives for the file name at its end? */
export function isIndexPathFor(p: string): boolean {
  const name = p.split('/').at(-1) ?? '';
  return name.length > 0 && indexPath(name) === p;
}
