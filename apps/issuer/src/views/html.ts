// A tagged template for HTML: every interpolated value is escaped unless it is already markup from `html`.

export type Markup = { readonly markup: string }

type Value = string | number | Markup | Markup[] | undefined | false

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string)
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let markup = strings[0] as string
  values.forEach((value, i) => {
    markup += render(value) + (strings[i + 1] as string)
  })
  return { markup }
}

function render(value: Value): string {
  if (value === undefined || value === false) return ''
  if (Array.isArray(value)) return value.map((v) => v.markup).join('')
  if (typeof value === 'object') return value.markup
  return escapeHtml(String(value))
}
