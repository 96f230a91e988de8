// Redirect URIs registered on an app, per platform as Graph's application resource holds them (web.redirectUris,
// spa.redirectUris, publicClient.redirectUris), with the rules Learn's "Redirect URI (reply URL) restrictions and
// limitations" (identity-platform/reply-url.md) states: an absolute URI of at most 256 characters, https except for
// loopback addresses (and custom schemes on mobile and desktop apps), no fragment, no wildcard, none of ! $ ' ( ) , ;
// and at most 256 of them on an app that signs in work and school accounts.

export const REDIRECT_PLATFORMS = ['web', 'spa', 'publicClient'] as const;
export type RedirectPlatform = (typeof REDIRECT_PLATFORMS)[number];
export type RedirectUris = Record<RedirectPlatform, string[]>;

export const MAX_REDIRECT_URIS = 256;
const MAX_LENGTH = 256;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export const noRedirectUris = (): RedirectUris => ({ web: [], spa: [], publicClient: [] });

export const allRedirectUris = (uris: RedirectUris): string[] => [...uris.web, ...uris.spa, ...uris.publicClient];

const isLoopback = (u: URL) => u.protocol === 'http:' && LOOPBACK.has(u.hostname);

/** Why `uri` cannot be registered on `platform`, or undefined when it can. */
export function redirectUriProblem(uri: string, platform: RedirectPlatform): string | undefined {
  if (uri.length > MAX_LENGTH) return `A redirect URI has at most ${MAX_LENGTH} characters.`;
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `'${uri}' is not an absolute URI.`;
  }
  if (uri.includes('#')) return 'A redirect URI cannot have a fragment.';
  if (uri.includes('*')) return 'A redirect URI cannot contain a wildcard.';
  if (/[!$'(),;]/.test(uri)) return "A redirect URI cannot contain any of ! $ ' ( ) , ;";
  // Mobile and desktop apps may use custom schemes (msal{appId}://auth, myapp://callback); web and SPA apps may not.
  if (platform !== 'publicClient' && u.protocol !== 'https:' && !isLoopback(u)) return `A ${platform === 'web' ? 'web' : 'single-page application'} redirect URI uses https, or http on a loopback address.`;
  if (platform === 'publicClient' && u.protocol === 'http:' && !isLoopback(u)) return 'A public client redirect URI uses http only on a loopback address.';
  return undefined;
}

/**
 * Whether the redirect_uri of a request is one of `registered`. The comparison is exact (paths are case-sensitive)
 * but for the loopback exception: the port of an http loopback address is ignored, since native apps listen on an
 * ephemeral port (reply-url.md, "Localhost exceptions"; RFC 8252 §7.3).
 */
export function matchesRegisteredUri(requested: string, registered: readonly string[]): boolean {
  if (registered.includes(requested)) return true;
  let req: URL;
  try {
    req = new URL(requested);
  } catch {
    return false;
  }
  for (const r of registered) {
    let reg: URL;
    try {
      reg = new URL(r);
    } catch {
      continue;
    }
    if (reg.href === req.href) return true;
    if (isLoopback(reg) && isLoopback(req) && reg.hostname === req.hostname && reg.pathname === req.pathname && reg.search === req.search) return true;
  }
  return false;
}
