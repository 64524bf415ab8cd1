// Sign-in against the Cognito user pool named in /config.json (USER_PASSWORD_AUTH, as the app
// client allows). Tokens live in memory only: a reload signs out. The ID token is refreshed with
// the refresh token a minute before it expires; if that fails the session ends with a message.
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
  | { kind: "new-password"; challengeSession: string; email: string };

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

async function cognito(target: string, body: Record<string, unknown>): Promise<Record<string, any>> {
  const config = await clientConfig();
  const answer = await fetch(config.cognito_endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}`,
    },
    body: JSON.stringify({ ClientId: config.user_pool_client_id, ...body }),
  });
  const document = (await answer.json().catch(() => ({}))) as Record<string, any>;
  if (!answer.ok) {
    const code = String(document.__type ?? "Error").split("#").pop() ?? "Error";
    throw new CognitoError(code, String(document.message ?? document.Message ?? code));
  }
  return document;
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

/** The session has ended on its own (token expired, or the API said 401). */
export function expire(): void {
  clearTimeout(timer);
  session = null;
  refreshToken = null;
  emit("expired");
}

export function signOut(): void {
  clearTimeout(timer);
  session = null;
  refreshToken = null;
  emit("signed-out");
}

export async function signIn(email: string, password: string): Promise<AuthResult> {
  const answer = await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") {
    return { kind: "new-password", challengeSession: String(answer.Session), email };
  }
  return { kind: "signed-in", session: start(answer.AuthenticationResult ?? {}, email) };
}

export async function setNewPassword(email: string, challengeSession: string, password: string): Promise<Session> {
  const answer = await cognito("RespondToAuthChallenge", {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    Session: challengeSession,
    ChallengeResponses: { USERNAME: email, NEW_PASSWORD: password },
  });
  return start(answer.AuthenticationResult ?? {}, email);
}
