import { escapeHtml, pageShell } from './html';

/**
 * The sign-in form: a token pasted once. With a script, it is sent in a header to POST
 * /dashboard/session, which keeps it in the dashboard's cookie (it never lands in a URL); without
 * one, the form falls back to GET /dashboard?token=, which does the same and takes it out of the
 * address bar at once.
 */
export function loginPage(message?: string): string {
  const body = `<section id="sign-in"><h2>Sign in</h2>
${message ? `<p class="note" id="message" role="alert">${escapeHtml(message)}</p>` : ''}
<p class="note">Paste a token with one of the roles marketing, finance, scheduler, qa, ops or admin
(for a try: <code>npm run -s token -- --role qa --sub you</code>). It is kept in a cookie of this
page only, until it expires.</p>
<form id="login" method="get" action="dashboard"><label>Token <input id="token" name="token" type="password" size="60" autocomplete="off" required></label>
<button type="submit">Sign in</button></form>
<p class="note" id="state"></p>
</section>
<script>
document.getElementById('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = document.getElementById('token').value.trim();
  const res = await fetch('dashboard/session', { method: 'POST', headers: { authorization: 'Bearer ' + token } });
  if (res.ok) { location.assign('dashboard'); return; }
  const body = await res.json().catch(() => ({}));
  document.getElementById('state').textContent = 'Not signed in (' + res.status + '): ' + (body.message || res.statusText);
});
</script>`;
  return pageShell({ title: 'Dashboard: sign in', header: '<h1>Telemarketing dashboard</h1>', body });
}
