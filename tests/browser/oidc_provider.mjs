// A real OpenID Connect provider for the sign-in tests (the npm package oidc-provider, with
// its development login and consent pages: any login name and password are accepted).
//
//   node tests/browser/oidc_provider.mjs <port> <redirect uri> <groups file>
//
// Each account's groups are read from the JSON file at every sign-in ({"amina": ["g1"]}),
// so a test can change them between two sign-ins. An account may instead have an object:
// its groups and the claims that differ ({"eve": {"groups": [], "email_verified": "false"}};
// a claim set to null is left out). An account set to false is one the provider no longer
// knows. Prints "ready" once it listens.
import fs from 'node:fs';
import Provider, { interactionPolicy } from 'oidc-provider';

const [port, redirectUri, groupsFile] = process.argv.slice(2);

const setting = (id) => JSON.parse(fs.readFileSync(groupsFile, 'utf8'))[id];

// A disabled account's open session at the provider no longer counts: like Entra ID or
// Keycloak, a silent (prompt=none) request then answers login_required.
const policy = interactionPolicy.base();
policy.get('login').checks.add(
  new interactionPolicy.Check('account_disabled', 'The account is disabled', (ctx) => {
    const id = ctx.oidc.session.accountId;
    return id && setting(id) === false
      ? interactionPolicy.Check.REQUEST_PROMPT
      : interactionPolicy.Check.NO_NEED_TO_PROMPT;
  }),
);

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: 'pmapp',
      client_secret: 'pmapp-test-secret',
      redirect_uris: [redirectUri],
      // Signing out of the app signs out here too (RP-initiated logout), then comes back.
      post_logout_redirect_uris: [new URL('/accounts/signed-out/', redirectUri).href],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'preferred_username'],
    groups: ['groups'],
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const given = setting(id) || [];
        const changes = Array.isArray(given) ? { groups: given } : given;
        const claims = {
          sub: id,
          email: `${id}@example.org`,
          email_verified: true,
          given_name: id.charAt(0).toUpperCase() + id.slice(1),
          family_name: 'Tester',
          preferred_username: id,
          groups: [],
          ...changes,
        };
        for (const [name, value] of Object.entries(claims)) {
          if (value === null) delete claims[name];
        }
        return claims;
      },
    };
  },
  interactions: { policy },
  features: { devInteractions: { enabled: true } },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
