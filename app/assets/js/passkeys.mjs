// Passkeys (WebAuthn) on the pages that offer them: add one (the account's passkeys page), sign in
// with one, or use one instead of a code. Each part is hidden until this finds that the browser
// can use passkeys; without it (or without JavaScript) the password and code forms still work.
// The server sends the options as JSON (binary values in base64url); this turns them into the
// ArrayBuffers the browser wants, asks it, and posts the answer back with the CSRF token.

export function toBuffer (text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4)
  const binary = atob(padded)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes.buffer
}

export function toBase64url (buffer) {
  const bytes = new Uint8Array(buffer)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function creationOptions (options) {
  return {
    ...options,
    challenge: toBuffer(options.challenge),
    user: { ...options.user, id: toBuffer(options.user.id) },
    excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: toBuffer(c.id) }))
  }
}

function requestOptions (options) {
  const request = { ...options, challenge: toBuffer(options.challenge) }
  if (options.allowCredentials) {
    request.allowCredentials = options.allowCredentials.map((c) => ({ ...c, id: toBuffer(c.id) }))
  }
  return request
}

function credentialJSON (credential) {
  const response = credential.response
  const json = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    response: { clientDataJSON: toBase64url(response.clientDataJSON) }
  }
  if (response.attestationObject) {
    json.response.attestationObject = toBase64url(response.attestationObject)
    json.response.transports = response.getTransports ? response.getTransports() : []
  } else {
    json.response.authenticatorData = toBase64url(response.authenticatorData)
    json.response.signature = toBase64url(response.signature)
    if (response.userHandle) json.response.userHandle = toBase64url(response.userHandle)
  }
  return json
}

function csrfToken () {
  return document.querySelector('meta[name="csrf-token"]')?.content ||
    document.querySelector('input[name="csrf_token"]')?.value || ''
}

async function post (url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
    credentials: 'same-origin',
    body: JSON.stringify(body || {})
  })
  let data = {}
  try { data = await response.json() } catch (e) { /* not JSON: the generic message below */ }
  return { ok: response.ok, data }
}

function showError (message) {
  const summary = document.querySelector('[data-passkey-error]')
  if (!summary) return
  summary.querySelector('[data-passkey-error-text]').textContent = message
  summary.hidden = false
  summary.focus()
}

async function run (part, button) {
  const kind = part.dataset.passkey
  const failed = part.dataset.passkeyFailed
  button.disabled = true
  try {
    const options = await post(part.dataset.optionsUrl)
    if (!options.ok) {
      if (options.data.redirect) { window.location.assign(options.data.redirect); return }
      showError(options.data.error || failed)
      return
    }
    let credential
    try {
      credential = kind === 'register'
        ? await navigator.credentials.create({ publicKey: creationOptions(options.data) })
        : await navigator.credentials.get({ publicKey: requestOptions(options.data) })
    } catch (error) {
      showError(error && error.name === 'NotAllowedError' ? part.dataset.passkeyCancelled : failed)
      return
    }
    const body = { credential: credentialJSON(credential) }
    if (kind === 'register') body.name = document.getElementById('passkey-name')?.value || ''
    const next = new URLSearchParams(window.location.search).get('next')
    if (next) body.next = next
    const result = await post(part.dataset.finishUrl, body)
    if (result.data.redirect) { window.location.assign(result.data.redirect); return }
    showError(result.data.error || failed)
  } catch (error) {
    showError(failed)
  } finally {
    button.disabled = false
  }
}

export function initPasskeys (root = document) {
  const supported = typeof window.PublicKeyCredential === 'function' && !!navigator.credentials
  root.querySelectorAll('[data-passkey-unsupported]').forEach((el) => { el.hidden = supported })
  if (!supported) return
  root.querySelectorAll('[data-passkey]').forEach((part) => {
    const button = part.querySelector('[data-passkey-start]')
    if (!button) return
    part.hidden = false
    button.addEventListener('click', () => run(part, button))
  })
}

initPasskeys()
