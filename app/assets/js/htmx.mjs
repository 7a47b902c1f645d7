// Loaded only on pages that use htmx (live search, the editor's live preview).
import htmx from 'htmx.org'

// Keep no copy of any page in sessionStorage for htmx's history, run no eval (strict CSP),
// and inject no inline <style> (the CSP forbids it; the indicator CSS is in our stylesheet).
htmx.config.historyCacheSize = 0
htmx.config.historyEnabled = false
htmx.config.allowEval = false
htmx.config.allowScriptTags = false
htmx.config.includeIndicatorStyles = false
htmx.config.selfRequestsOnly = true
window.htmx = htmx

// htmx records the current path, search terms included, in sessionStorage as it loads. With
// history off it never needs it again, and a search term must not outlive the page: remove it.
function forgetPath () {
  try { window.sessionStorage.removeItem('htmx-current-path-for-history') } catch (e) { /* blocked */ }
}
forgetPath()
document.addEventListener('htmx:afterSettle', forgetPath)
