import { useEffect, useRef, useState } from "preact/hooks";
import { failure, success } from "../components/notices";
import { QrCode } from "../components/QrCode";
import { InputField } from "../components/fields";
import {
  answerMfaCode,
  beginMfaSetup,
  CognitoError,
  finishMfaSetup,
  setNewPassword,
  signIn,
  totpUri,
  type AuthResult,
} from "../lib/auth";
import { t } from "../lib/i18n";
import { LangSwitch } from "../components/LangSwitch";

const COGNITO_MESSAGES: Record<string, string> = {
  NotAuthorizedException: "signin.wrong_password",
  UserNotFoundException: "signin.wrong_password",
  PasswordResetRequiredException: "signin.reset_required",
  InvalidPasswordException: "signin.weak_password",
  TooManyRequestsException: "signin.too_many",
  LimitExceededException: "signin.too_many",
  CodeMismatchException: "signin.wrong_code",
  EnableSoftwareTokenMFAException: "signin.wrong_code", // VerifySoftwareToken's answer to a wrong code
  ExpiredCodeException: "signin.code_used",
};

/** Where the operator is: the password, then whatever Cognito asks for before it hands out tokens. */
type Step =
  | { kind: "password" }
  | { kind: "new-password"; email: string; session: string }
  | { kind: "mfa-code"; email: string; session: string }
  | { kind: "mfa-setup"; email: string; session: string; secret: string };

/** The key as an authenticator app asks for it, in groups of four to make typing it easier. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

export function SignIn(props: { reason?: "expired" | "signed-out" }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [newPassword, setNew] = useState("");
  const [code, setCode] = useState("");
  const [step, setStep] = useState<Step>({ kind: "password" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (step.kind === "mfa-code") codeInput.current?.focus();
  }, [step.kind]);

  /** Back to the password: asked for, or Cognito's sign-in session has run out (or too many wrong codes). */
  const restart = (message: string | null) => {
    setStep({ kind: "password" });
    setPassword("");
    setNew("");
    setCode("");
    setError(message && t(message));
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    let phase = step.kind;
    try {
      let result: AuthResult;
      if (step.kind === "new-password") result = await setNewPassword(step.email, step.session, newPassword);
      else if (step.kind === "mfa-code") result = await answerMfaCode(step.email, step.session, code);
      else if (step.kind === "mfa-setup") result = await finishMfaSetup(step.email, step.session, code);
      else result = await signIn(email.trim(), password);
      // "signed-in" needs nothing here: the app leaves this screen for the shell.
      if (result.kind === "new-password" || result.kind === "mfa-code") {
        setCode("");
        setStep({ kind: result.kind, email: result.email, session: result.challengeSession });
      } else if (result.kind === "mfa-setup") {
        phase = "mfa-setup";
        const setup = await beginMfaSetup(result.challengeSession);
        setCode("");
        setStep({ kind: "mfa-setup", email: result.email, session: setup.challengeSession, secret: setup.secret });
      }
    } catch (caught) {
      const errorCode = caught instanceof CognitoError ? caught.code : undefined;
      if (phase !== "password" && errorCode === "NotAuthorizedException") {
        restart(phase === "mfa-setup" ? "signin.setup_expired" : "signin.session_expired");
        return;
      }
      const key = errorCode ? COGNITO_MESSAGES[errorCode] : undefined;
      if (key === "signin.wrong_code" || key === "signin.code_used") {
        setCode("");
        codeInput.current?.focus();
      }
      setError(key ? t(key) : `${t("signin.failed")} (${caught instanceof Error ? caught.message : String(caught)})`);
    } finally {
      setBusy(false);
    }
  };

  const copySecret = async (secret: string) => {
    try {
      await navigator.clipboard.writeText(secret);
      success(t("signin.secret_copied"));
    } catch (caught) {
      failure(caught);
    }
  };

  const codeField = (hint: string) => (
    <InputField
      label={t("signin.code")}
      hint={hint}
      inputRef={codeInput}
      class="otp-input"
      type="text"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      required
      value={code}
      onInput={(value) => setCode(value.replace(/\D/g, "").slice(0, 6))}
    />
  );

  const submitLabel =
    step.kind === "mfa-code" ? t("signin.verify") : step.kind === "mfa-setup" ? t("signin.register") : t("signin.submit");

  return (
    <main class="signin" id="main">
      <form class="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div class="signin-brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <div>
            <h1 id="signin-title">{t("signin.title")}</h1>
            <p class="lead">{t("signin.lead")}</p>
          </div>
        </div>
        {props.reason === "expired" && (
          <p class="info-box" role="status">
            {t("signin.expired")}
          </p>
        )}
        {error && (
          <p class="error-box" role="alert">
            {error}
          </p>
        )}
        {step.kind === "new-password" && (
          <>
            <p>{t("signin.new_password_lead")}</p>
            <InputField
              label={t("signin.new_password")}
              hint={t("signin.password_rules")}
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              value={newPassword}
              onInput={setNew}
            />
          </>
        )}
        {step.kind === "mfa-code" && (
          <>
            <h2 class="signin-step">{t("signin.mfa_title")}</h2>
            <p>{t("signin.mfa_code_lead")}</p>
            {codeField(t("signin.mfa_code_hint"))}
          </>
        )}
        {step.kind === "mfa-setup" && (
          <>
            <h2 class="signin-step">{t("signin.mfa_setup_title")}</h2>
            <p>{t("signin.mfa_setup_lead")}</p>
            <p class="hint">{t("signin.authenticator_app")}</p>
            <QrCode text={totpUri(step.email, step.secret)} label={t("signin.qr_label")} testId="totp-qr" />
            <p class="small totp-link">
              <a href={totpUri(step.email, step.secret)} data-testid="totp-link">
                {t("signin.open_in_app")}
              </a>
            </p>
            <p class="small">{t("signin.secret_lead")}</p>
            <div class="totp-secret">
              <code data-testid="totp-secret">{grouped(step.secret)}</code>
              <button type="button" class="button button-small" onClick={() => void copySecret(step.secret)}>
                {t("signin.copy_secret")}
              </button>
            </div>
            {codeField(t("signin.mfa_setup_code_hint"))}
          </>
        )}
        {step.kind === "password" && (
          <>
            <InputField label={t("signin.email")} type="email" autoComplete="username" required value={email} onInput={setEmail} />
            <InputField
              label={t("signin.password")}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onInput={setPassword}
            />
          </>
        )}
        <button type="submit" class="button button-primary button-block" disabled={busy}>
          {busy ? t("common.loading") : submitLabel}
        </button>
        {step.kind !== "password" && (
          <p class="signin-back">
            <button type="button" class="button-link" onClick={() => restart(null)}>
              {t("signin.back")}
            </button>
          </p>
        )}
        <div class="signin-foot">
          <LangSwitch />
        </div>
      </form>
    </main>
  );
}
