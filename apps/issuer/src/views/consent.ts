import { html } from './html.ts'
import { layout } from './layout.ts'

export type ConsentView = { clientName: string; email: string; scopes: string[]; interaction: string; csrf: string }

export function consentPage(view: ConsentView): string {
  const scopes =
    view.scopes.length > 0
      ? html`<p>It asks for:</p><ul class="scopes">${view.scopes.map((scope) => html`<li>${scope}</li>`)}</ul>`
      : html`<p>It asks for no particular permission: only to know it is you.</p>`
  return layout(
    'Allow access',
    html`<h1>Allow <strong>${view.clientName}</strong> to access your account?</h1>
<p class="muted">Signed in as ${view.email}</p>
${scopes}
<form method="post" action="/consent">
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="interaction" value="${view.interaction}">
<div class="actions">
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</div>
</form>
<p class="footer muted">Not you? <a href="/signout">Sign out</a></p>`,
  )
}
