// A local OpenID Connect provider for Kaohe's sign-in tests (tests/test_oidc.py), on oauth2-mock-server.
//
//   node tests/oidc/mock_idp.js PORT [CLAIMS_JSON]
//
// CLAIMS_JSON (else env KAOHE_MOCK_CLAIMS) is a JSON object of the signed-in person's claims, e.g.
// {"sub": "wang", "email": "wang@office.example", "name": "王芳", "kaohe_role": "leader"}; they are put into
// every ID token and access token (beforeTokenSigning) and the userinfo answer (beforeUserinfo). The mock
// signs everybody in as that person without a form. A fresh RSA key is generated at each start.
// `POST /kaohe/claims` with a JSON object replaces the claims for the next sign-ins (one server, several
// people in a test). Prints "ready <issuer url>" once it listens on 127.0.0.1:PORT.
// Debian 12's node (18) has WebCrypto only as node:crypto's webcrypto, not as the global the mock's JOSE
// library uses: set it before the mock is loaded (hence the dynamic import).
import { webcrypto } from 'node:crypto';

if (globalThis.crypto === undefined) globalThis.crypto = webcrypto;
const { OAuth2Server, Events } = await import('oauth2-mock-server');

const port = Number(process.argv[2] || process.env.KAOHE_MOCK_PORT || 0);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node mock_idp.js PORT [CLAIMS_JSON]');
  process.exit(2);
}

function parseClaims(text) {
  const claims = JSON.parse(text || '{}');
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new Error('claims must be a JSON object');
  }
  return claims;
}

let claims = parseClaims(process.argv[3] || process.env.KAOHE_MOCK_CLAIMS);

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');

server.service.on(Events.BeforeTokenSigning, (token) => {
  Object.assign(token.payload, claims);
});
server.service.on(Events.BeforeUserinfo, (response) => {
  Object.assign(response.body, claims);
});
server.service.addRoute('POST', '/kaohe/claims', (req, res) => {
  // the mock has read the body already (JSON when sent as application/json)
  const body = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end('claims must be a JSON object sent as application/json');
    return;
  }
  claims = body;
  res.writeHead(204);
  res.end();
});

await server.start(port, '127.0.0.1');
// the issuer as the browser and Streamlit reach it (the mock names itself localhost otherwise)
server.issuer.url = `http://127.0.0.1:${port}`;
console.log(`ready ${server.issuer.url}`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
