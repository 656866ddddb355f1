/**
 * `raven-pkg info NAME[@VERSION]`: read straight from the sparse index (so it works against a
 * static mirror too): versions with yanked marks, or one version's metadata and dependencies.
 */
import semver from 'semver';
import type { CommandContext } from './context.ts';
import { cliError } from './cliError.ts';
import { parseSpec } from './parseSpec.ts';

export async function info({ ctx, spec }: { ctx: CommandContext; spec: string }): Promise<number> {
  const { name, range } = parseSpec(spec);
  const { registry } = await ctx.session();
  const entries = await ctx.index(registry).packageFile(name);
  if (!entries || entries.length === 0) throw cliError('package_not_found', `package ${name} is not in ${registry}`, 'server');
  const sorted = [...entries].sort((a, b) => semver.rcompare(a.vers, b.vers));
  const pick = range
    ? sorted.find((e) => e.vers === range) ?? sorted.find((e) => !e.yanked && semver.satisfies(e.vers, range))
    : sorted.find((e) => !e.yanked) ?? sorted[0];
  if (!pick) throw cliError('version_not_found', `no version of ${name} matches ${range}`, 'server');
  if (ctx.json) {
    ctx.out(JSON.stringify(range ? pick : { name, versions: entries }));
    return 0;
  }
  ctx.out(`${pick.name}@${pick.vers}${pick.yanked ? ' (yanked)' : ''}`);
  if (pick.description) ctx.out(pick.description);
  for (const [k, v] of [['license', pick.license], ['repository', pick.repository], ['homepage', pick.homepage], ['publisher', pick.publisher], ['published', pick.pubtime], ['integrity', pick.integrity]] as const) {
    if (v) ctx.out(`${k}: ${v}`);
  }
  if (pick.keywords.length) ctx.out(`keywords: ${pick.keywords.join(', ')}`);
  ctx.out(pick.deps.length ? 'dependencies:' : 'dependencies: none');
  for (const d of pick.deps) ctx.out(`  ${d.package ?? d.name} ${d.req}${d.kind !== 'normal' ? ` (${d.kind})` : ''}${d.optional ? ' (optional)' : ''}`);
  if (!range) ctx.out(`versions: ${sorted.map((e) => e.vers + (e.yanked ? ' (yanked)' : '')).join(', ')}`);
  return 0;
}
