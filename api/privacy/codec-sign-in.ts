import { escapeHtml } from '../html';

/** The cookie that carries an ops token to the codec routes (Path=/codec, HttpOnly, SameSite=Strict). */
export const CODEC_COOKIE = 'codec_session';


/**
 * The page `npm run stack` links to with an ops token after the '#' (a fragment never reaches a
 * server or its logs): its script hands the token to POST /codec/session, which keeps it in the
 * codec cookie, and says what to do in the Temporal UI. Without a token it asks for one.
 */
export function codecSignInPage(uiUrl: string): string {
  const ui = escapeHtml(uiUrl);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Codec server: sign in</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem}code{background:#f2f2f2;padding:0 .2em}</style></head>
<body>
<h1>Codec server</h1>
<p id="state">Signing in…</p>
<form id="ask" hidden><label>An <code>ops</code> token (<code>npm run -s token -- --role ops --sub you</code>):
<input id="token" size="60" autocomplete="off"></label> <button>Sign in</button></form>
<p>Then, once, in the <a href="${ui}">Temporal UI</a>: open its codec server settings (the glasses
in the top bar), choose this browser's setting, give the endpoint <code id="endpoint"></code> and turn on
<b>Include cross-origin credentials</b>. Workflows' inputs, results and failures then show decoded;
without it they show as <code>binary/encrypted</code>. Open the UI and this page by the same host name.</p>
<script>
const state = document.getElementById('state');
document.getElementById('endpoint').textContent = location.origin + '/codec';
async function signIn(token) {
  const res = await fetch('session', { method: 'POST', headers: { authorization: 'Bearer ' + token } });
  if (res.status === 200) { const who = await res.json(); state.textContent = 'Signed in as ' + who.sub + ': this browser may decode payloads until ' + (who.expiresAt || 'the token expires') + '.'; state.dataset.signedIn = 'yes'; return; }
  const body = await res.json().catch(() => ({}));
  state.textContent = 'Not signed in (' + res.status + '): ' + (body.message || res.statusText);
  document.getElementById('ask').hidden = false;
}
const fromLink = decodeURIComponent(location.hash.slice(1));
history.replaceState(null, '', location.pathname);
if (fromLink) signIn(fromLink); else { state.textContent = 'Give an ops token to sign in.'; document.getElementById('ask').hidden = false; }
document.getElementById('ask').addEventListener('submit', (e) => { e.preventDefault(); signIn(document.getElementById('token').value.trim()); });
</script>
</body></html>
`;
}
