import { html } from './html.ts'
import { layout } from './layout.ts'

/** A page that only says something: errors, and the end of a session. */
export function messagePage(view: { title: string; message: string; alert?: boolean }): string {
  return layout(
    view.title,
    html`<h1>${view.title}</h1>
${view.alert === true ? html`<p class="alert" role="alert">${view.message}</p>` : html`<p>${view.message}</p>`}`,
  )
}
