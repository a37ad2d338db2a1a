// A real local OpenID Connect provider for Stormwatch's tests (npm oauth2-mock-server):
// discovery, JWKS, authorize (redirects straight back), token (RS256 ID tokens).
//
//   node oidc-provider.mjs [port]      prints {"issuer":"http://127.0.0.1:<port>"} once listening
//
// Who signs in: the authorize request's `login_hint` (default ada@example.com), with
// `hd` set to the address's domain (except gmail.com, a consumer account). A test may
// override any ID-token claim by adding `mock_claims` (JSON; null deletes) to the
// authorize URL: {"email_verified":false}, {"aud":"another-app"}, {"exp":0}, …
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.argv[2] ?? 0);
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(port, '127.0.0.1');
// The discovery document must name the address the app is configured with.
server.issuer.url = `http://127.0.0.1:${server.address().port}`;

const byCode = new Map();

server.service.on('beforeAuthorizeRedirect', (redirect, req) => {
  const code = redirect.url.searchParams.get('code');
  if (!code) return;
  const query = req.query ?? {};
  const email = String(query.login_hint ?? 'ada@example.com').toLowerCase();
  const overrides = query.mock_claims ? JSON.parse(String(query.mock_claims)) : {};
  byCode.set(code, { email, overrides });
});

server.service.on('beforeTokenSigning', (token, req) => {
  const entry = byCode.get(req.body?.code);
  if (!entry) return;
  const { email, overrides } = entry;
  const domain = email.split('@')[1];
  const local = email.split('@')[0];
  Object.assign(token.payload, {
    sub: `sub-${email}`,
    email,
    email_verified: true,
    name: local.split(/[._-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' '),
  });
  if (domain !== 'gmail.com') token.payload.hd = domain;
  for (const [claim, value] of Object.entries(overrides)) {
    if (value === null) delete token.payload[claim];
    else token.payload[claim] = value;
  }
});

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
console.log(JSON.stringify({ issuer: server.issuer.url }));
