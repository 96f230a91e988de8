// Builds src/auth/permission-catalogue.generated.json from the Graph permission data
// (microsoft-graph-devx-content permissions.json + provisioningInfo.json in reference/).
//
// The full data set is 3 MB and covers every Graph workload; the catalogue keeps only the paths under the
// resources Tenantbox serves and only the Application and DelegatedWork schemes. Most paths share the same
// grant (the set of permissions allowing a method), so grants are stored once and paths refer to them by index.
//
// Run: npx tsx scripts/generate-permissions.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalisePath } from '../src/auth/permission-paths.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');
const referenceDir = join(repoRoot, 'reference');
const outFile = join(repoRoot, 'src', 'auth', 'permission-catalogue.generated.json');

const SCHEMES = ['Application', 'DelegatedWork'] as const;
type Scheme = (typeof SCHEMES)[number];

const SERVED_ROOTS = [
  '/devices',
  '/directoryobjects',
  '/users',
  '/groups',
  '/contacts',
  '/serviceprincipals',
  '/administrativeunits',
  '/directory/administrativeunits',
  '/education',
  '/subscribedskus',
  '/me',
  '/organization',
  '/domains',
];

interface PathSet {
  schemeKeys: string[];
  methods: string[];
  paths: Record<string, string>;
}
interface PermissionsFile {
  permissions: Record<string, { schemes: Record<string, unknown>; pathSets?: PathSet[] }>;
}
interface ProvisioningFile {
  permissionDeployments: Record<string, { id: string; scheme: string; resourceAppId: string; isEnabled?: boolean }[]>;
}


// Workloads that hang off users, groups and /me but are not directory data (Files, Outlook mail/calendar/contacts,
// OneNote, Teams, Planner, To Do, Cloud PC): Tenantbox never serves them, and they are two thirds of the paths.
const UNSERVED_SUBTREES = new Set([
  'drive', 'drives', 'onenote', 'notes', 'mailfolders', 'messages', 'outlook', 'mailboxsettings', 'inferenceclassification',
  'calendar', 'calendars', 'calendargroups', 'calendarview', 'events', 'contactfolders', 'contacts', 'onlinemeetings',
  'teamwork', 'chats', 'joinedteams', 'team', 'channels', 'conversations', 'threads', 'planner', 'todo', 'tasks',
  'cloudpcs', 'presence', 'adhoccalls', 'communications', 'insights', 'sites', 'photo', 'photos',
]);

function isServed(path: string): boolean {
  if (!SERVED_ROOTS.some((root) => path === root || path.startsWith(`${root}/`) || path.startsWith(`${root}(`))) return false;
  const owner = /^\/(?:users\/\{\}|users\([^)]*\)|me|groups\/\{\})\/([^/(]+)/.exec(path);
  return !(owner && UNSERVED_SUBTREES.has(owner[1]));
}

function main() {
  const permissions = (JSON.parse(readFileSync(join(referenceDir, 'permissions.json'), 'utf8')) as PermissionsFile).permissions;
  const deployments = (JSON.parse(readFileSync(join(referenceDir, 'provisioningInfo.json'), 'utf8')) as ProvisioningFile)
    .permissionDeployments;

  // path → method → scheme → permission names
  const table = new Map<string, Map<string, Record<Scheme, Set<string>>>>();
  const used = new Set<string>();
  for (const [name, permission] of Object.entries(permissions)) {
    for (const set of permission.pathSets ?? []) {
      const schemes = set.schemeKeys.filter((s): s is Scheme => (SCHEMES as readonly string[]).includes(s));
      if (schemes.length === 0) continue;
      for (const rawPath of Object.keys(set.paths)) {
        const path = normalisePath(rawPath);
        if (!isServed(path)) continue;
        let methods = table.get(path);
        if (!methods) table.set(path, (methods = new Map()));
        for (const method of set.methods) {
          const m = method.toUpperCase();
          let bySchemes = methods.get(m);
          if (!bySchemes) methods.set(m, (bySchemes = { Application: new Set(), DelegatedWork: new Set() }));
          for (const scheme of schemes) bySchemes[scheme].add(name);
          used.add(name);
        }
      }
    }
  }

  // Graph permission ids (resourceAppId "" is Microsoft Graph), for every permission the served paths mention.
  const names = [...used].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  const ids: Record<string, { Application?: string; DelegatedWork?: string }> = {};
  for (const name of names) {
    const entry: { Application?: string; DelegatedWork?: string } = {};
    for (const d of deployments[name] ?? []) {
      if (d.resourceAppId !== '' || !d.id) continue;
      if (d.scheme === 'Application' || d.scheme === 'DelegatedWork') entry[d.scheme] ??= d.id;
    }
    ids[name] = entry;
  }

  // Grants are "A:<indices>|D:<indices>" strings, deduplicated.
  const grants: string[] = [];
  const grantIndex = new Map<string, number>();
  const encode = (set: Set<string>) =>
    [...set]
      .map((n) => index.get(n)!)
      .sort((a, b) => a - b)
      .join(',');
  const paths: Record<string, Record<string, number>> = {};
  for (const path of [...table.keys()].sort()) {
    const out: Record<string, number> = {};
    const methods = table.get(path)!;
    for (const method of [...methods.keys()].sort()) {
      const g = methods.get(method)!;
      const key = `A:${encode(g.Application)}|D:${encode(g.DelegatedWork)}`;
      let i = grantIndex.get(key);
      if (i === undefined) {
        i = grants.length;
        grants.push(key);
        grantIndex.set(key, i);
      }
      out[method] = i;
    }
    paths[path] = out;
  }

  const catalogue = {
    $comment:
      'Generated by scripts/generate-permissions.ts from microsoft-graph-devx-content permissions.json and provisioningInfo.json. Do not edit. ' +
      'paths[normalised path][METHOD] = index into grants; a grant is "A:<permission indices>|D:<permission indices>" (Application | DelegatedWork).',
    permissions: names,
    ids,
    grants,
    paths,
  };
  writeFileSync(outFile, `${JSON.stringify(catalogue)}\n`);
  process.stdout.write(
    `wrote ${outFile}: ${names.length} permissions, ${Object.keys(paths).length} paths, ${grants.length} grants\n`,
  );
}

main();
