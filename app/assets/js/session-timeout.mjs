// The GOV.UK timeout-warning pattern: a modal dialog shortly before an idle session ends, with
// "Stay signed in" (a CSRF-protected POST that keeps the session alive) and "Sign out". The server
// enforces the timeout whatever happens here; this only warns, and leaves the page when it ends.
export function initSessionTimeout (body = document.body) {
  const idle = Number(body.dataset.sessionIdle)
  const warning = Number(body.dataset.sessionWarning)
  const dialog = document.getElementById('timeout-dialog')
  if (!idle || !dialog || typeof dialog.showModal !== 'function') return
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content
  let warnTimer, endTimer

  function schedule () {
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    warnTimer = setTimeout(() => { if (!dialog.open) dialog.showModal() }, Math.max(idle - warning, 1) * 1000)
    endTimer = setTimeout(() => window.location.replace(body.dataset.timedOut), idle * 1000)
  }

  dialog.querySelector('[data-timeout-action="stay"]').addEventListener('click', async () => {
    const response = await fetch(body.dataset.keepAlive, {
      method: 'POST',
      headers: { 'X-CSRFToken': csrf },
      credentials: 'same-origin'
    })
    if (!response.ok) { window.location.replace(body.dataset.timedOut); return }
    dialog.close()
    schedule()
  })
  // Escape closes a modal dialog: treat it as "stay signed in" only if the server agrees.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault()
    dialog.querySelector('[data-timeout-action="stay"]').click()
  })
  schedule()
}
