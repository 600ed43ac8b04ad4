import t from 'tap'
import { escapeHtml, html } from '../../src/views/html.ts'
import { consentPage } from '../../src/views/consent.ts'
import { signInPage } from '../../src/views/sign-in.ts'

t.test('interpolated values are escaped; markup from html is not', async (t) => {
  t.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
  const inner = html`<b>${'<i>'}</b>`
  t.equal(html`<p>${inner}${[inner, inner]}${undefined}${false}${3}</p>`.markup, '<p><b>&lt;i&gt;</b><b>&lt;i&gt;</b><b>&lt;i&gt;</b>3</p>')
})

t.test('client names, addresses and scopes cannot inject markup', async (t) => {
  const hostile = `"><script>alert(1)</script>`
  const signIn = signInPage({ clientName: hostile, interaction: hostile, csrf: 'c', email: hostile, message: hostile })
  const consent = consentPage({ clientName: hostile, email: hostile, scopes: [hostile], interaction: 'i', csrf: 'c' })
  for (const page of [signIn, consent]) {
    t.notMatch(page, /<script/i)
    t.match(page, '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
  }
})
