import { html } from './html.ts'
import { layout } from './layout.ts'

export type SignInView = { clientName: string; interaction: string; csrf: string; email?: string | undefined; message?: string | undefined }

export function signInPage(view: SignInView): string {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
<p class="muted">to continue to <strong>${view.clientName}</strong></p>
${view.message !== undefined && html`<p class="alert" role="alert">${view.message}</p>`}
<form method="post" action="/sign-in">
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="interaction" value="${view.interaction}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" inputmode="email" autocapitalize="none" spellcheck="false" required value="${view.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  )
}
