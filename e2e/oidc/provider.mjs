// A certified OpenID provider for tests and demos: panva's `oidc-provider`, which nobody here
// wrote, configured to behave like GOV.UK One Login where the hub depends on it:
//   - one client, authenticating with private_key_jwt, code flow with PKCE (S256) only;
//   - the `vtr` authorize parameter, answered with a `vot` claim in the ID token;
//   - `email` and `email_verified` (from the userinfo endpoint, as One Login does);
//   - RP-initiated logout without asking, when the RP sends a valid id_token_hint.
// Sign-in is the library's development interaction: any name, any password. A name starting with
// "unverified" gets email_verified=false; a name with an "@" is used as the e-mail address.
//
// Loopback only (127.0.0.1). Settings come from arguments, or the environment when absent:
//   --port                      OIDC_DEMO_PORT
//   --client-id                 OIDC_DEMO_CLIENT_ID
//   --client-jwks  (file path)  OIDC_DEMO_CLIENT_JWKS
//   --redirect-uri              OIDC_DEMO_REDIRECT_URI
//   --post-logout-redirect-uri  OIDC_DEMO_POST_LOGOUT_REDIRECT_URIS (comma-separated; the
//                               argument may be repeated)
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

import Provider, { errors } from 'oidc-provider'

const HOST = '127.0.0.1'
const LEVELS = new Set(['Cl', 'Cl.Cm']) // One Login's low and medium levels of authentication

function settings () {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'client-id': { type: 'string' },
      'client-jwks': { type: 'string' },
      'redirect-uri': { type: 'string' },
      'post-logout-redirect-uri': { type: 'string', multiple: true }
    }
  })
  const env = process.env
  const postLogout = values['post-logout-redirect-uri'] ??
    (env.OIDC_DEMO_POST_LOGOUT_REDIRECT_URIS || '').split(',').filter(Boolean)
  const result = {
    port: Number(values.port ?? env.OIDC_DEMO_PORT),
    clientId: values['client-id'] ?? env.OIDC_DEMO_CLIENT_ID,
    clientJwks: values['client-jwks'] ?? env.OIDC_DEMO_CLIENT_JWKS,
    redirectUri: values['redirect-uri'] ?? env.OIDC_DEMO_REDIRECT_URI,
    postLogout
  }
  const missing = Object.entries(result).filter(([, v]) => !v || (Array.isArray(v) && !v.length))
  if (missing.length) {
    console.error(`provider.mjs: missing ${missing.map(([k]) => k).join(', ')}`)
    process.exit(2)
  }
  return result
}

function page (title, body) {
  // Plain pages: the library's defaults import a web font from the internet, which tests avoid.
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`
}

const config = settings()
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  .export({ format: 'jwk' })
// The level asked for (vtr) of each authorization request, by nonce, until its ID token is made.
const levelByNonce = new Map()

const provider = new Provider(`http://${HOST}:${config.port}`, {
  clients: [{
    client_id: config.clientId,
    client_name: 'Victim Care Hub',
    redirect_uris: [config.redirectUri],
    post_logout_redirect_uris: config.postLogout,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: JSON.parse(readFileSync(config.clientJwks, 'utf8'))
  }],
  jwks: { keys: [{ ...signingKey, kid: 'signing-1', alg: 'RS256', use: 'sig' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  clientAuthMethods: ['private_key_jwt'],
  pkce: { required: () => true },
  claims: { openid: ['sub', 'vot'], email: ['email', 'email_verified'] },
  extraParams: {
    // vtr is a JSON list of levels, e.g. ["Cl.Cm"]; the ID token's vot is the one granted.
    vtr (ctx, value) {
      if (value === undefined) return
      let levels
      try { levels = JSON.parse(value) } catch { levels = null }
      const level = Array.isArray(levels) ? levels.find((l) => LEVELS.has(l)) : undefined
      if (!level) throw new errors.InvalidRequest('vtr is not a list of known levels')
      if (ctx.oidc.params.nonce) levelByNonce.set(ctx.oidc.params.nonce, level)
    }
  },
  async findAccount (ctx, sub, token) {
    return {
      accountId: sub,
      async claims (use) {
        const email = sub.includes('@') ? sub : `${sub}@example.org`
        const claims = { sub, email, email_verified: !sub.startsWith('unverified') }
        if (use === 'id_token' && token?.nonce && levelByNonce.has(token.nonce)) {
          claims.vot = levelByNonce.get(token.nonce)
          levelByNonce.delete(token.nonce)
        }
        return claims
      }
    }
  },
  // The hub is a first-party client here, as services are at One Login: no consent screen.
  async loadExistingGrant (ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId ||
      ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId)
    if (grantId) return ctx.oidc.provider.Grant.find(grantId)
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId
    })
    grant.addOIDCScope('openid email')
    await grant.save()
    return grant
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // One Login ends its session without asking when the id_token_hint is valid: submit the
      // library's confirmation form at once (a button remains for a browser without scripts).
      async logoutSource (ctx, form) {
        ctx.body = page('Signing out', `${form}
<input type="hidden" form="op.logoutForm" name="logout" value="yes">
<noscript><button type="submit" form="op.logoutForm">Sign out</button></noscript>
<script>document.getElementById('op.logoutForm').submit()</script>`)
      },
      async postLogoutSuccessSource (ctx) {
        ctx.body = page('Signed out', '<p>You have signed out.</p>')
      }
    }
  },
  async renderError (ctx, out) {
    ctx.type = 'html'
    const text = Object.entries(out).map(([k, v]) => `${k}: ${String(v).replace(/[<>&]/g, '')}`)
    ctx.body = page('Error', `<pre>${text.join('\n')}</pre>`)
  }
})

provider.listen(config.port, HOST, () => {
  console.log(`oidc-provider listening on http://${HOST}:${config.port}`)
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0))
