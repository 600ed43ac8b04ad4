import { html, type Markup } from './html.ts'
import { STYLE } from './style.ts'

/** The document around every page: readable on a phone, no scripts, no external resources. */
export function layout(title: string, body: Markup): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Keymint</title>
<style>${{ markup: STYLE }}</style>
</head>
<body>
<main>
<p class="brand">Keymint</p>
${body}
</main>
</body>
</html>
`.markup
}
