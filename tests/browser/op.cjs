// op.cjs: an OpenID provider (npm oidc-provider 9.x, OpenID Certified) standing
// in for Cognito's implicit grant in tests/browser/signin.sh. Not shipped.
//
//   node op.cjs --port PORT --client-id ID --redirect-uri URI [--groups a,b]
//
// Prints "listening http://127.0.0.1:PORT" when ready. What makes it
// Cognito-shaped:
// - ID tokens carry token_use "id", cognito:username (the login typed),
//   cognito:groups and email, aud = the client id, RS256 with a key made
//   here at start (kid "op-test");
// - Cognito's implicit grant is asked for with response_type=token; an OpenID
//   provider only knows "id_token token" (a bare "token" is refused), so
//   s3gate runs with S3GATE_IMPLICIT_RESPONSE_TYPE='id_token token' against
//   this provider. The request goes through as s3gate sends it.
// - devInteractions gives a sign-in form that accepts any password; the
//   consent step is granted automatically (loadExistingGrant), as Cognito
//   asks no consent. Its "[ Cancel ]" link aborts with error=access_denied.
// The client is "native" so that an http://127.0.0.1 redirect URI is allowed
// with the implicit flow (loopback redirect, RFC 8252).
"use strict";

const path = require("node:path");
const crypto = require("node:crypto");
const { pathToFileURL } = require("node:url");

function arg(name, def) {
  const i = process.argv.indexOf("--" + name);
  return i > 0 ? process.argv[i + 1] : def;
}

async function main() {
  const port = Number(arg("port"));
  const clientId = arg("client-id");
  const redirectUri = arg("redirect-uri");
  const groups = (arg("groups", "") || "").split(",").filter(Boolean);
  if (!port || !clientId || !redirectUri) throw new Error("usage: --port --client-id --redirect-uri");
  const modules = process.env.NODE_PATH || path.join(__dirname, "..", "node_modules");
  const { default: Provider } = await import(pathToFileURL(path.join(modules, "oidc-provider", "lib", "index.js")));

  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "op-test", use: "sig", alg: "RS256" };
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        application_type: "native",
        grant_types: ["implicit"],
        response_types: ["id_token token"],
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [new URL("./", redirectUri).href],
        token_endpoint_auth_method: "none",
      },
    ],
    responseTypes: ["id_token token", "code", "none"],
    jwks: { keys: [jwk] },
    features: { devInteractions: { enabled: true } },
    conformIdTokenClaims: false,
    claims: {
      openid: ["sub", "token_use", "cognito:username", "cognito:groups", "email", "email_verified"],
      email: ["email", "email_verified"],
      profile: [],
    },
    async findAccount(ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            token_use: "id",
            "cognito:username": sub,
            "cognito:groups": groups,
            email: `${sub}@example.test`,
            email_verified: true,
          };
        },
      };
    },
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      grant.addOIDCClaims(["token_use", "cognito:username", "cognito:groups", "email", "email_verified"]);
      await grant.save();
      return grant;
    },
    ttl: { IdToken: 3600, AccessToken: 3600 },
  });

  provider.on("server_error", (ctx, err) => console.error("server_error", err));
  provider.on("authorization.error", (ctx, err) => console.error("authorization.error", err.message, err.error_description || ""));

  provider.listen(port, "127.0.0.1", () => console.log(`listening ${issuer}`));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
