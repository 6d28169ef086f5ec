// A real OpenID Connect provider for the tests: npm's certified `oidc-provider`, configured here.
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG.json: {"issuer": "http://127.0.0.1:PORT", "port": PORT,
//               "clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}],
//               "accounts": {"<login>": {"sub", "email", "email_verified", "name", "groups"}}}
// The sign-in page asks only for a login name (no password: the accounts are the tests' own)
// and has a Cancel button, which answers the client with error=access_denied. Consent is
// granted without a page. Prints "ready" once it listens.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts || {};
// sub -> the login last used for it: two logins with one sub are one person whose claims changed
const signedIn = new Map();
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // the claims of the granted scopes go into the ID token, as Entra ID and Google do
  conformIdTokenClaims: false,
  // "rpInitiatedLogout": false in CONFIG.json plays a provider without end_session_endpoint (Google)
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: config.rpInitiatedLogout !== false },
  },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = accounts[signedIn.get(sub)];
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { ...account, sub };
      },
    };
  },
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, uid, error) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Login</label> <input id="login" name="login" autocomplete="off">
<button type="submit" name="action" value="login">Sign in</button>
<button type="submit" name="action" value="deny">Cancel</button>
</form></main></body></html>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function consent(req, res, details) {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function interaction(req, res, uid, submitted) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'consent') return consent(req, res, details);
  if (!submitted) return page(res, uid);
  const form = await readForm(req);
  if (form.get('action') === 'deny') {
    const result = { error: 'access_denied', error_description: 'The person cancelled the sign-in.' };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  const login = form.get('login') || '';
  if (!accounts[login]) return page(res, uid, `No account "${login}".`);
  const sub = accounts[login].sub || login;
  signedIn.set(sub, login);
  return provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
http
  .createServer((req, res) => {
    const match = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url);
    if (!match) return callback(req, res);
    interaction(req, res, match[1], Boolean(match[2]) && req.method === 'POST').catch((err) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${err.message}`);
    });
  })
  .listen(config.port, '127.0.0.1', () => console.log('ready'));
