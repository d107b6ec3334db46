import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** Claims the test provider returns for an account (keyed by the login typed at its sign-in form). */
export type TestClaims = { email?: string; email_verified?: boolean; name?: string };

export interface TestProvider {
  issuer: string;
  accounts: Map<string, TestClaims>;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (oidc-provider, OpenID-certified) on a loopback port, with one confidential
 * client for `redirectUri`. Its development sign-in form takes any login (the account id) and password;
 * consent is granted for the first-party client, as an organisation's provider does.
 */
export async function startTestProvider({
  clientId,
  clientSecret,
  redirectUri,
  port = 0,
}: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** 0: any free port. */
  port?: number;
}): Promise<TestProvider> {
  const accounts = new Map<string, TestClaims>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ["test-provider-cookie-key"] },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    async findAccount(_ctx, id) {
      const claims = accounts.get(id);
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Plays the browser at the provider: follows its redirects from the authorization URL, fills its
 * sign-in form with `login`, and returns the redirect back to the app (the callback URL with the code).
 */
export async function signInAtProvider(
  authorizationUrl: string,
  login: string,
  { cancel = false }: { cancel?: boolean } = {},
): Promise<URL> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let form: URLSearchParams | undefined;
  for (let step = 0; step < 12; step += 1) {
    const response = await fetch(url, {
      method: form ? "POST" : "GET",
      body: form,
      redirect: "manual",
      headers: {
        Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
      },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const [name, ...value] = pair.split("=");
      jar.set(name, value.join("="));
    }
    form = undefined;
    const location = response.headers.get("Location");
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (!next.href.startsWith(new URL(authorizationUrl).origin)) return next;
      url = next.href;
      continue;
    }
    const page = await response.text();
    if (response.status === 200 && page.includes('name="prompt" value="login"')) {
      // Cancelling is the sign-in page's "abort" link: the provider answers access_denied.
      if (cancel) {
        url = `${url.replace(/\/$/, "")}/abort`;
        continue;
      }
      form = new URLSearchParams({ prompt: "login", login, password: "any" });
      continue;
    }
    throw new Error(`The provider answered ${response.status} at ${url}: ${page.slice(0, 300)}`);
  }
  throw new Error("The provider never redirected back");
}
