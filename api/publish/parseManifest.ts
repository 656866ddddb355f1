/**
 * Parse and validate `raven.toml` bytes (smol-toml, then schema/manifest.ts). A bad name or
 * version has its own code (invalid_name / invalid_version); anything else is invalid_manifest,
 * always with zod's issues.
 */
import { parse as parseToml } from 'smol-toml';
import { MANIFEST_FILE, Manifest, RegistryError, issuesFromZod } from '../../schema/index.ts';

export function parseManifest(bytes: Uint8Array): Manifest {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RegistryError('invalid_manifest', `${MANIFEST_FILE} is not UTF-8`);
  }
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (e) {
    throw new RegistryError('invalid_manifest', `${MANIFEST_FILE} is not valid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = Manifest.safeParse(raw);
  if (!r.success) {
    const issues = issuesFromZod(r.error.issues);
    const at = (field: string) => issues.find((i) => i.path.length === 2 && i.path[0] === 'package' && i.path[1] === field);
    // The name and version rules have their own codes (a client shows "bad name", not "bad manifest").
    const nameIssue = at('name');
    if (nameIssue) {
      throw new RegistryError('invalid_name', `invalid package name ${JSON.stringify((raw as { package?: { name?: unknown } }).package?.name)}: ${nameIssue.message}`, {}, [nameIssue]);
    }
    const versionIssue = at('version');
    if (versionIssue) {
      throw new RegistryError('invalid_version', `invalid version ${JSON.stringify((raw as { package?: { version?: unknown } }).package?.version)}: ${versionIssue.message}`, {}, [versionIssue]);
    }
    const firstIssue = issues[0];
    throw new RegistryError(
      'invalid_manifest',
      `${MANIFEST_FILE}: ${firstIssue ? `${firstIssue.path.join('.') || '(root)'}: ${firstIssue.message}` : 'invalid'}`,
      {},
      issues,
    );
  }
  return r.data;
}
