import { createHash } from 'node:crypto'

// The pages' only stylesheet, inlined and allowed by its hash in the Content-Security-Policy.

export const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #59636e; --bg: #f4f5f7; --card: #fff; --line: #d0d7de;
  --accent: #0b57d0; --accent-fg: #fff; --danger: #b3261e; --danger-bg: #fdecea; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #9aa4ae; --bg: #111418; --card: #1b1f24;
  --line: #3a424b; --accent: #8ab4f8; --accent-fg: #0b1d3a; --danger: #f2b8b5; --danger-bg: #3b1614; } }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; min-height: 100vh; display: flex; align-items: flex-start; justify-content: center; padding: 2rem 1rem;
  background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { width: 100%; max-width: 26rem; background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1.75rem 1.5rem; }
.brand { margin: 0 0 1.25rem; font-size: .875rem; font-weight: 600; letter-spacing: .04em; text-transform: uppercase; color: var(--muted); }
h1 { margin: 0 0 .5rem; font-size: 1.5rem; line-height: 1.25; }
p { margin: 0 0 1rem; }
.muted { color: var(--muted); }
label { display: block; margin: 1rem 0 .35rem; font-weight: 600; }
input[type=email], input[type=password] { width: 100%; padding: .75rem .8rem; font: inherit; color: inherit; background: transparent;
  border: 1px solid var(--line); border-radius: 8px; }
input:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
button { width: 100%; margin-top: 1.5rem; padding: .8rem 1rem; font: inherit; font-weight: 600; border-radius: 8px; cursor: pointer;
  border: 1px solid var(--accent); background: var(--accent); color: var(--accent-fg); }
button.secondary { background: transparent; color: var(--fg); border-color: var(--line); }
.actions { display: flex; gap: .75rem; margin-top: 1.5rem; }
.actions button { margin-top: 0; }
.alert { margin: 1rem 0; padding: .75rem .9rem; border-radius: 8px; background: var(--danger-bg); color: var(--danger); }
ul.scopes { margin: .5rem 0 1rem; padding: 0; list-style: none; border: 1px solid var(--line); border-radius: 8px; }
ul.scopes li { padding: .6rem .8rem; border-top: 1px solid var(--line); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .95rem; overflow-wrap: anywhere; }
ul.scopes li:first-child { border-top: 0; }
.footer { margin: 1.5rem 0 0; font-size: .875rem; }
a { color: var(--accent); }
`

export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`
