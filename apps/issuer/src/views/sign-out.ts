import { html } from './html.ts'
import { layout } from './layout.ts'

export function signOutPage(view: { email: string; csrf: string }): string {
  return layout(
    'Sign out',
    html`<h1>Sign out?</h1>
<p class="muted">Signed in as ${view.email}</p>
<form method="post" action="/signout">
<input type="hidden" name="csrf" value="${view.csrf}">
<button type="submit">Sign out</button>
</form>`,
  )
}
