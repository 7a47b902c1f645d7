// Loaded on every page. Only the GOV.UK Frontend components the hub's pages use are bundled.
import { Button, CharacterCount, createAll, ErrorSummary, ExitThisPage, PasswordInput, ServiceNavigation, SkipLink } from 'govuk-frontend'
import { initSessionTimeout } from './session-timeout.mjs'

// GOV.UK's component leaves the page in history (it sets location.href), so Back would return
// to it. The hub replaces the current history entry instead, and goes through /exit, which clears
// the session, cache and storage before sending the person to a neutral site.
class HubExitThisPage extends ExitThisPage {
  exitPage () {
    if (!this.$updateSpan) return
    this.$updateSpan.textContent = ''
    document.body.classList.add('govuk-exit-this-page-hide-content')
    this.$overlay = document.createElement('div')
    this.$overlay.className = 'govuk-exit-this-page-overlay'
    this.$overlay.setAttribute('role', 'alert')
    document.body.appendChild(this.$overlay)
    this.$overlay.textContent = this.i18n.t('activated')
    try { window.sessionStorage.clear(); window.localStorage.clear() } catch (e) { /* storage may be blocked */ }
    window.location.replace(this.$button.href)
  }
}

createAll(SkipLink)
createAll(ServiceNavigation)
createAll(ErrorSummary)
createAll(HubExitThisPage)
createAll(Button)
createAll(PasswordInput)
createAll(CharacterCount)
initSessionTimeout()
