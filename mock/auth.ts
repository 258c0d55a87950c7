/**
 * Bearer-token checks of the mock (RS256 JWTs: signature, issuer, audience, expiry), plus a local
 * issuer for tests and the devhost: it mints tokens and serves its JWKS on loopback.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK, JWTVerifyGetKey, CryptoKey, KeyObject } from 'jose' with { 'resolution-mode': 'import' };

export type AuthOptions =
  | 'off'
  | { issuer: string; audience: string; jwksUrl: string }
  | { issuer: string; audience: string; publicKey: CryptoKey | KeyObject | JWK };

// jose is ESM-only; a dynamic import keeps this CommonJS module loadable.
type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let jose: Promise<Jose> | undefined;
const loadJose = (): Promise<Jose> => (jose ??= import('jose'));

export class Unauthorized extends Error {}

export type BearerCheck = (authorization: string | undefined) => Promise<void>;

export async function bearerCheck(auth: AuthOptions): Promise<BearerCheck> {
  if (auth === 'off') return async () => {};
  const j = await loadJose();
  let key: JWTVerifyGetKey | CryptoKey | KeyObject | Uint8Array;
  if ('jwksUrl' in auth) key = j.createRemoteJWKSet(new URL(auth.jwksUrl));
  else if (isJwk(auth.publicKey)) key = await j.importJWK(auth.publicKey, 'RS256');
  else key = auth.publicKey;
  return async (authorization) => {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw new Unauthorized('missing bearer token (Authorization: Bearer <jwt>)');
    try {
      // The overloads differ only in the key's type; both accept this call.
      await j.jwtVerify(m[1]!, key as CryptoKey, {
        issuer: auth.issuer,
        audience: auth.audience,
        algorithms: ['RS256'],
      });
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'ERR_JWT_INVALID';
      throw new Unauthorized(`invalid bearer token (${code}): ${(e as Error).message}`);
    }
  };
}

function isJwk(k: CryptoKey | KeyObject | JWK): k is JWK {
  return typeof (k as JWK).kty === 'string';
}

/** A TokenCredential-shaped object (structural, so the mock does not depend on @azure/identity). */
export interface MintingCredential {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number }>;
}

export interface LocalIssuer {
  issuer: string;
  jwksUrl: string;
  publicJwk: JWK;
  /** Signs a token; `expiresIn` in seconds, negative for an already expired one. */
  mint(claims: { aud: string; expiresIn?: number; sub?: string; issuer?: string }): Promise<string>;
  /** Mints a token for the audience of the requested scope (`<aud>/.default`), like Entra would. */
  credential(): MintingCredential;
  stop(): Promise<void>;
}

export async function createLocalIssuer(): Promise<LocalIssuer> {
  const j = await loadJose();
  const { publicKey, privateKey } = await j.generateKeyPair('RS256', { extractable: true });
  const kid = 'local-1';
  const publicJwk: JWK = { ...(await j.exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const jwks = JSON.stringify({ keys: [publicJwk] });
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/`;

  const mint: LocalIssuer['mint'] = async ({ aud, expiresIn = 3600, sub = 'local-workflow', issuer: iss = issuer }) => {
    const now = Math.floor(Date.now() / 1000);
    return new j.SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(iss)
      .setAudience(aud)
      .setSubject(sub)
      .setIssuedAt(now - 5 + Math.min(0, expiresIn))
      .setExpirationTime(now + expiresIn)
      .sign(privateKey);
  };

  return {
    issuer,
    jwksUrl: `${base}/.well-known/jwks.json`,
    publicJwk,
    mint,
    credential: () => ({
      getToken: async (scopes) => {
        const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
        const expiresIn = 3600;
        return {
          token: await mint({ aud: scope.replace(/\/\.default$/, ''), expiresIn }),
          expiresOnTimestamp: Date.now() + expiresIn * 1000,
        };
      },
    }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
