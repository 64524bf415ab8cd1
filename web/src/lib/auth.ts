// Sign-in against the Cognito user pool named in /config.json (USER_PASSWORD_AUTH, as the app
// client allows). The ID token lives in memory; the refresh token is also kept in the tab's
// sessionStorage, as Cognito's own clients keep theirs in browser storage, so a reload of the tab
// signs in again with it (restoreSession) and a new tab or a closed browser starts signed out.
// Signing out, or a session that ends, clears it. The ID token is refreshed with the refresh
// token a minute before it expires; if that fails the session ends with a message.
// The pool requires a second factor (TOTP, infra/identity.py): after the password, and after a
// first sign-in's new password, Cognito asks either for the authenticator app's code
// (SOFTWARE_TOKEN_MFA) or, for an operator who has none yet, to register one (MFA_SETUP).
import { clientConfig } from "./config";

export type Role = "staff" | "manager" | "owner";
export const ROLE_RANK: Record<Role, number> = { staff: 1, manager: 2, owner: 3 };

export interface Session {
  idToken: string;
  email: string;
  role: Role;
  expiresAt: number; // epoch ms
}

export type AuthResult =
  | { kind: "signed-in"; session: Session }
  | { kind: "new-password"; challengeSession: string; email: string }
  | { kind: "mfa-code"; challengeSession: string; email: string }
  | { kind: "mfa-setup"; challengeSession: string; email: string };

/** A TOTP key being registered: the secret for the authenticator app, and the session to go on with. */
export interface MfaSetup {
  secret: string;
  challengeSession: string;
}

/** The issuer an authenticator app shows next to the operator's address. */
const TOTP_ISSUER = "Okaeri";
const DEVICE_NAME = "Okaeri admin page";

export class CognitoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = (session: Session | null, reason?: "expired" | "signed-out") => void;

let session: Session | null = null;
let refreshToken: string | null = null;
/** sessionStorage's key: `{ "refreshToken": …, "email": … }` of the tab's session. */
const STORED = "okaeri.session";
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<Listener>();

export function currentSession(): Session | null {
  return session;
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(reason?: "expired" | "signed-out"): void {
  for (const listener of listeners) listener(session, reason);
}

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

function roleOf(groups: unknown): Role {
  const list = Array.isArray(groups) ? groups.map(String) : typeof groups === "string" ? groups.split(/[\s,]+/) : [];
  let best: Role = "staff";
  for (const group of list) {
    if (group in ROLE_RANK && ROLE_RANK[group as Role] > ROLE_RANK[best]) best = group as Role;
  }
  return best;
}

/** One Cognito call; `withClient: false` for the calls that take no ClientId (the software-token ones). */
async function cognito(
  target: string,
  body: Record<string, unknown>,
  withClient = true,
): Promise<Record<string, any>> {
  const config = await clientConfig();
  const answer = await fetch(config.cognito_endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}`,
    },
    body: JSON.stringify(withClient ? { ClientId: config.user_pool_client_id, ...body } : body),
  });
  const document = (await answer.json().catch(() => ({}))) as Record<string, any>;
  if (!answer.ok) {
    const code = String(document.__type ?? "Error").split("#").pop() ?? "Error";
    throw new CognitoError(code, String(document.message ?? document.Message ?? code));
  }
  return document;
}

function store(): void {
  try {
    if (session && refreshToken) {
      sessionStorage.setItem(STORED, JSON.stringify({ refreshToken, email: session.email }));
    } else {
      sessionStorage.removeItem(STORED);
    }
  } catch {
    // storage refused (a private mode's quota): the session still works, a reload signs out
  }
}

function stored(): { refreshToken: string; email: string } | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORED) ?? "null") as Record<string, unknown> | null;
    if (value && typeof value.refreshToken === "string" && typeof value.email === "string") {
      return { refreshToken: value.refreshToken, email: value.email };
    }
  } catch {
    // unreadable: treated as none
  }
  return null;
}

/** Whether the tab holds a session to restore (the page shows "loading" rather than the form). */
export function hasStoredSession(): boolean {
  return stored() !== null;
}

/** After a reload: sign in again with the tab's refresh token; null (and nothing kept) if it is refused. */
export async function restoreSession(): Promise<Session | null> {
  const saved = stored();
  if (!saved || session) return session;
  try {
    const answer = await cognito("InitiateAuth", {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: saved.refreshToken },
    });
    refreshToken = saved.refreshToken;
    return start(answer.AuthenticationResult ?? {}, saved.email);
  } catch {
    refreshToken = null;
    store();
    emit();
    return null;
  }
}

function start(result: Record<string, any>, email: string): Session {
  const idToken = String(result.IdToken);
  if (result.RefreshToken) refreshToken = String(result.RefreshToken);
  const claims = claimsOf(idToken);
  session = {
    idToken,
    email: String(claims.email ?? email),
    role: roleOf(claims["cognito:groups"]),
    expiresAt: Number(claims.exp) * 1000,
  };
  store();
  schedule();
  emit();
  return session;
}

function schedule(): void {
  clearTimeout(timer);
  if (!session) return;
  const wait = Math.max(session.expiresAt - Date.now() - 60_000, 5_000);
  timer = setTimeout(() => void refresh(), Math.min(wait, 2 ** 31 - 1));
}

async function refresh(): Promise<void> {
  if (!session || !refreshToken) return expire();
  try {
    const answer = await cognito("InitiateAuth", {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    });
    start(answer.AuthenticationResult ?? {}, session.email);
  } catch {
    expire();
  }
}

/** A fresh ID token now (after accepting an invitation: the new shop is in the next token). */
export async function refreshNow(): Promise<void> {
  clearTimeout(timer);
  await refresh();
}

/** The session has ended on its own (token expired, or the API said 401). */
export function expire(): void {
  clearTimeout(timer);
  session = null;
  refreshToken = null;
  store();
  emit("expired");
}

export function signOut(): void {
  clearTimeout(timer);
  session = null;
  refreshToken = null;
  store();
  emit("signed-out");
}

/** What Cognito asked for next: a challenge this page answers, or the tokens. */
function outcome(answer: Record<string, any>, email: string): AuthResult {
  const challengeSession = String(answer.Session ?? "");
  switch (answer.ChallengeName) {
    case undefined:
    case null:
      return { kind: "signed-in", session: start(answer.AuthenticationResult ?? {}, email) };
    case "NEW_PASSWORD_REQUIRED":
      return { kind: "new-password", challengeSession, email };
    case "SOFTWARE_TOKEN_MFA":
      return { kind: "mfa-code", challengeSession, email };
    case "MFA_SETUP":
      return { kind: "mfa-setup", challengeSession, email };
    default:
      throw new CognitoError("UnsupportedChallenge", String(answer.ChallengeName));
  }
}

export async function signIn(email: string, password: string): Promise<AuthResult> {
  const answer = await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  return outcome(answer, email);
}

export async function setNewPassword(email: string, challengeSession: string, password: string): Promise<AuthResult> {
  const answer = await cognito("RespondToAuthChallenge", {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    Session: challengeSession,
    ChallengeResponses: { USERNAME: email, NEW_PASSWORD: password },
  });
  return outcome(answer, email);
}

/** The authenticator app's 6-digit code (SOFTWARE_TOKEN_MFA). */
export async function answerMfaCode(email: string, challengeSession: string, code: string): Promise<AuthResult> {
  const answer = await cognito("RespondToAuthChallenge", {
    ChallengeName: "SOFTWARE_TOKEN_MFA",
    Session: challengeSession,
    ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
  });
  return outcome(answer, email);
}

/** MFA_SETUP, first half: Cognito makes a new TOTP secret for this operator. */
export async function beginMfaSetup(challengeSession: string): Promise<MfaSetup> {
  const answer = await cognito("AssociateSoftwareToken", { Session: challengeSession }, false);
  return { secret: String(answer.SecretCode), challengeSession: String(answer.Session ?? challengeSession) };
}

/** MFA_SETUP, second half: a code from the app proves the key is stored; then the challenge is answered. */
export async function finishMfaSetup(email: string, challengeSession: string, code: string): Promise<AuthResult> {
  const verified = await cognito(
    "VerifySoftwareToken",
    { Session: challengeSession, UserCode: code, FriendlyDeviceName: DEVICE_NAME },
    false,
  );
  if (verified.Status !== "SUCCESS") throw new CognitoError("CodeMismatchException", String(verified.Status));
  const answer = await cognito("RespondToAuthChallenge", {
    ChallengeName: "MFA_SETUP",
    Session: String(verified.Session ?? challengeSession),
    ChallengeResponses: { USERNAME: email },
  });
  return outcome(answer, email);
}

/** The `otpauth://` address an authenticator app reads from the QR code ("@" may stay as it is). */
export function totpUri(email: string, secret: string): string {
  const label = `${encodeURIComponent(TOTP_ISSUER)}:${encodeURIComponent(email).replace(/%40/g, "@")}`;
  return `otpauth://totp/${label}?secret=${encodeURIComponent(secret)}&issuer=${encodeURIComponent(TOTP_ISSUER)}`;
}
