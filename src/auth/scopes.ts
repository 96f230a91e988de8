// Delegated scopes the way Entra treats them: a Graph scope may be written bare (`User.Read`) or with its resource
// (`https://graph.microsoft.com/User.Read`, `00000003-…/User.Read`); the response echoes each in the form the
// client asked, because MSAL caches the token under the response's scopes and looks the next request up by its own
// spelling. `.default` stands for everything consented. A scope not consented is AADSTS65001 with suberror
// consent_required, which MSAL raises as InteractionRequiredAuthError.
import type { AppRegistration } from '../directory/apps.js';
import { E } from './oauth-errors.js';
import { isDelegatedPermission } from './permissions.js';
import { GRAPH_APP_ID, GRAPH_AUDIENCE } from './tokens.js';

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const GRAPH_RESOURCE_PREFIXES = [`${GRAPH_AUDIENCE}/`, `${GRAPH_APP_ID}/`];

export interface GrantedScope {
  /** The permission's own spelling, as in the token's `scp`. */
  name: string;
  /** The form the client wrote, echoed in the response. */
  asked: string;
}

export interface DelegatedScopes {
  graph: GrantedScope[];
  /** OpenID Connect scopes requested (openid, profile, email, offline_access), lower case. */
  oidc: string[];
  /** The `.default` scope as the client wrote it, when it asked for one. */
  defaultAsked?: string;
}

export interface RequestedScopes {
  wanted: { name: string; asked: string }[];
  oidc: string[];
  defaultAsked?: string;
}

/** Splits a Graph scope from its resource; undefined if it names another resource. */
export function graphScopeName(scope: string): string | undefined {
  for (const prefix of GRAPH_RESOURCE_PREFIXES) if (scope.toLowerCase().startsWith(prefix)) return scope.slice(prefix.length).replace(/^\/+/, '');
  if (scope.includes('/') || scope.includes(':')) return undefined;
  return scope;
}

export function resourceOf(scope: string): string {
  const i = scope.lastIndexOf('/');
  return i > 0 ? scope.slice(0, i) : scope;
}

export function parseScopes(raw: string, tenantName: string): RequestedScopes {
  const out: RequestedScopes = { wanted: [], oidc: [] };
  for (const s of raw.split(/\s+/).filter((x) => x !== '')) {
    const lower = s.toLowerCase();
    if (OIDC_SCOPES.includes(lower)) {
      if (!out.oidc.includes(lower)) out.oidc.push(lower);
      continue;
    }
    const name = graphScopeName(s);
    if (name === undefined) throw E.unknownResource(resourceOf(s), tenantName);
    if (name === '') throw E.invalidScope(s);
    if (name.toLowerCase() === '.default') out.defaultAsked ??= s;
    else if (!out.wanted.some((w) => w.name.toLowerCase() === name.toLowerCase())) out.wanted.push({ name, asked: s });
  }
  return out;
}

/** Graph permissions only: the app's list may also name the OIDC scopes. */
export function graphPermissions(list: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of list) {
    const k = p.toLowerCase();
    if (OIDC_SCOPES.includes(k) || seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

/**
 * What a request gets, given what is consented (the app's administrator-granted list and the user's own grants).
 * Any requested scope outside it is AADSTS65001.
 */
export function resolveScopes(req: RequestedScopes, consented: readonly string[], app: AppRegistration): DelegatedScopes {
  const granted = graphPermissions(consented);
  const byLower = new Map(granted.map((p) => [p.toLowerCase(), p]));
  const graph: GrantedScope[] = [];
  for (const w of req.wanted) {
    const name = byLower.get(w.name.toLowerCase());
    if (!name) throw isDelegatedPermission(w.name) ? E.consentRequired(app) : E.invalidScope(w.asked);
    graph.push({ name, asked: w.asked });
  }
  if (req.defaultAsked !== undefined) {
    for (const p of granted) if (!graph.some((g) => g.name === p)) graph.push({ name: p, asked: `${GRAPH_AUDIENCE}/${p}` });
  }
  return { graph, oidc: [...req.oidc], defaultAsked: req.defaultAsked };
}

/** The token's `scp`: each Graph permission once, then the OIDC scopes other than offline_access (as Entra does). */
export function scpOf(s: DelegatedScopes): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of [...s.graph.map((g) => g.name), ...s.oidc.filter((o) => o !== 'offline_access')]) {
    if (seen.has(p.toLowerCase())) continue;
    seen.add(p.toLowerCase());
    out.push(p);
  }
  return out;
}

/** The response's `scope`: each Graph scope in the client's spelling, `.default` echoed, then the OIDC scopes. */
export function responseScope(s: DelegatedScopes): string {
  return [...s.graph.map((g) => g.asked), ...(s.defaultAsked ? [s.defaultAsked] : []), ...s.oidc].join(' ');
}
