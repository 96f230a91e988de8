// The server-rendered pages of the interactive flows: sign in, consent, device code entry, and the form_post
// response. Plain HTML forms, no script except the form_post auto-submit, so any browser (or curl) can drive them.
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0}
main{max-width:440px;margin:48px auto;background:#fff;padding:32px 40px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:0 0 16px}
label{display:block;margin:12px 0 4px}
input[type=text],input[type=password],input[type=email]{width:100%;box-sizing:border-box;padding:6px;border:0;border-bottom:1px solid #666;font-size:15px}
button{margin-top:20px;padding:6px 20px;font-size:15px;border:0;background:#0067b8;color:#fff;cursor:pointer}
button.secondary{background:#ccc;color:#000;margin-right:8px}
.error{color:#e81123;margin:8px 0}
.muted{color:#666;font-size:13px}
ul{padding-left:20px}
</style></head><body><main>${body}</main></body></html>`;
}

const hidden = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');

export interface SignInView {
  action: string;
  appName: string;
  tenantName: string;
  loginHint?: string;
  error?: string;
  users: { upn: string; displayName: string }[];
  fields: Record<string, string>;
}

export function signInPage(v: SignInView): string {
  const options = v.users.map((u) => `<option value="${esc(u.upn)}">${esc(u.displayName)}</option>`).join('');
  return page(
    'Sign in to your account',
    `<h1>Sign in</h1>
<p class="muted">to continue to ${esc(v.appName)} (${esc(v.tenantName)})</p>
${v.error ? `<p class="error" role="alert" id="error">${esc(v.error)}</p>` : ''}
<form method="post" action="${esc(v.action)}">
${hidden({ ...v.fields, step: 'signin' })}
<label for="username">Email, phone, or Skype</label>
<input type="email" id="username" name="username" list="demo-users" autocomplete="username" value="${esc(v.loginHint ?? '')}" required>
<datalist id="demo-users">${options}</datalist>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" id="signin">Sign in</button>
</form>`,
  );
}

export interface ConsentView {
  action: string;
  appName: string;
  userName: string;
  scopes: string[];
  fields: Record<string, string>;
}

export function consentPage(v: ConsentView): string {
  return page(
    'Permissions requested',
    `<h1>Permissions requested</h1>
<p>${esc(v.appName)} would like to:</p>
<ul id="scopes">${v.scopes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<p class="muted">Signed in as ${esc(v.userName)}. Accepting lets the app use these permissions on your behalf.</p>
<form method="post" action="${esc(v.action)}">
${hidden({ ...v.fields, step: 'consent' })}
<button type="submit" class="secondary" name="decision" value="cancel" id="cancel">Cancel</button>
<button type="submit" name="decision" value="accept" id="accept">Accept</button>
</form>`,
  );
}

export function formPostPage(redirectUri: string, params: Record<string, string>): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Working...</title></head>
<body onload="document.forms[0].submit()"><form method="post" action="${esc(redirectUri)}">${hidden(params)}
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript></form></body></html>`;
}

export function errorPage(code: number, message: string): string {
  return page('Sign in', `<h1>Sorry, but we're having trouble signing you in.</h1><p class="error" id="error">AADSTS${code}: ${esc(message)}</p>`);
}

export interface DeviceCodeView {
  action: string;
  error?: string;
}

export function deviceCodeEntryPage(v: DeviceCodeView): string {
  return page(
    'Enter code',
    `<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
${v.error ? `<p class="error" role="alert" id="error">${esc(v.error)}</p>` : ''}
<form method="post" action="${esc(v.action)}">
${hidden({ step: 'code' })}
<label for="otc">Code</label>
<input type="text" id="otc" name="otc" autocomplete="off" required>
<button type="submit" id="next">Next</button>
</form>`,
  );
}

export interface DeviceSignInView {
  action: string;
  appName: string;
  userCode: string;
  scopes: string[];
  error?: string;
  users: { upn: string; displayName: string }[];
}

export function deviceSignInPage(v: DeviceSignInView): string {
  const options = v.users.map((u) => `<option value="${esc(u.upn)}">${esc(u.displayName)}</option>`).join('');
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>${esc(v.appName)} on another device is asking to use these permissions on your behalf:</p>
<ul id="scopes">${v.scopes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
${v.error ? `<p class="error" role="alert" id="error">${esc(v.error)}</p>` : ''}
<form method="post" action="${esc(v.action)}">
${hidden({ step: 'signin', otc: v.userCode })}
<label for="username">Email, phone, or Skype</label>
<input type="email" id="username" name="username" list="demo-users" autocomplete="username">
<datalist id="demo-users">${options}</datalist>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password">
<button type="submit" class="secondary" name="decision" value="decline" id="decline">Cancel</button>
<button type="submit" name="decision" value="accept" id="accept">Continue</button>
</form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${esc(title)}</h1><p id="message">${esc(message)}</p>`);
}
