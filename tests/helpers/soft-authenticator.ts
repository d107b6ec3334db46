/**
 * A software passkey for integration tests: an ES256 key pair that answers WebAuthn registration and
 * authentication options the way a browser and a user-verifying authenticator would (attestation
 * "none"), so /auth/passkey can be tested without a browser. The e2e tests use Chromium's virtual
 * authenticator instead.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export interface SoftPasskey {
  credentialId: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  userHandle: string | null;
  counter: number;
  /** Set false to answer as an authenticator that skipped user verification. */
  userVerified: boolean;
}

export function newSoftPasskey(): SoftPasskey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    credentialId: randomBytes(16),
    privateKey,
    publicKey,
    userHandle: null,
    counter: 0,
    userVerified: true,
  };
}

function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: "jwk" });
  const map = new Map<number, number | Uint8Array>([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, new Uint8Array(Buffer.from(jwk.x!, "base64url"))],
    [-3, new Uint8Array(Buffer.from(jwk.y!, "base64url"))],
  ]);
  return isoCBOR.encode(map);
}

function counterBytes(counter: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(counter);
  return bytes;
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), "utf8");
}

/** The browser's answer to registration options: the key is the passkey's from now on. */
export function softRegister(
  passkey: SoftPasskey,
  options: PublicKeyCredentialCreationOptionsJSON,
  origin: string,
): RegistrationResponseJSON {
  passkey.userHandle = options.user.id;
  const credentialId = passkey.credentialId;
  const idLength = Buffer.alloc(2);
  idLength.writeUInt16BE(credentialId.length);
  const authData = Buffer.concat([
    sha256(options.rp.id ?? new URL(origin).hostname),
    Buffer.from([UP | (passkey.userVerified ? UV : 0) | AT]),
    counterBytes(passkey.counter),
    Buffer.alloc(16), // aaguid
    idLength,
    credentialId,
    Buffer.from(coseKey(passkey.publicKey)),
  ]);
  const attestation: Map<string, unknown> = new Map<string, unknown>([
    ["fmt", "none"],
    ["attStmt", new Map()],
    ["authData", new Uint8Array(authData)],
  ]);
  const attestationObject = isoCBOR.encode(attestation as Parameters<typeof isoCBOR.encode>[0]);
  return {
    id: b64url(credentialId),
    rawId: b64url(credentialId),
    type: "public-key",
    clientExtensionResults: {},
    response: {
      clientDataJSON: b64url(clientData("webauthn.create", options.challenge, origin)),
      attestationObject: b64url(attestationObject),
      transports: ["internal"],
    },
  };
}

/** The browser's answer to authentication options, signed by the passkey (its counter grows by one). */
export function softAuthenticate(
  passkey: SoftPasskey,
  options: PublicKeyCredentialRequestOptionsJSON,
  origin: string,
  { counter }: { counter?: number } = {},
): AuthenticationResponseJSON {
  passkey.counter = counter ?? passkey.counter + 1;
  const authData = Buffer.concat([
    sha256(options.rpId ?? new URL(origin).hostname),
    Buffer.from([UP | (passkey.userVerified ? UV : 0)]),
    counterBytes(passkey.counter),
  ]);
  const data = clientData("webauthn.get", options.challenge, origin);
  const signature = sign("sha256", Buffer.concat([authData, sha256(data)]), passkey.privateKey);
  return {
    id: b64url(passkey.credentialId),
    rawId: b64url(passkey.credentialId),
    type: "public-key",
    clientExtensionResults: {},
    response: {
      clientDataJSON: b64url(data),
      authenticatorData: b64url(authData),
      signature: b64url(signature),
      ...(passkey.userHandle ? { userHandle: passkey.userHandle } : {}),
    },
  };
}
