/**
 * Package-name patterns on API tokens: a name of [a-z0-9-] where `*` stands for any run of
 * name characters (`raven-*`, `*-ui`, `exact-name`). An empty list means any package.
 */

export const PACKAGE_PATTERN_RE = /^[a-z0-9*-]{1,64}$/;

/** True when `name` (any case) matches the glob `pattern`. */
export function matchesPackagePattern(pattern: string, name: string): boolean {
  if (!PACKAGE_PATTERN_RE.test(pattern)) return false;
  const re = new RegExp(`^${pattern.split('*').map(escape).join('[a-z0-9-]*')}$`);
  return re.test(name.toLowerCase());
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
