import { useState } from "preact/hooks";
import { Field } from "../components/ui";
import { CognitoError, setNewPassword, signIn } from "../lib/auth";
import { t } from "../lib/i18n";
import { LangSwitch } from "../components/LangSwitch";

const COGNITO_MESSAGES: Record<string, string> = {
  NotAuthorizedException: "signin.wrong_password",
  UserNotFoundException: "signin.wrong_password",
  PasswordResetRequiredException: "signin.reset_required",
  InvalidPasswordException: "signin.weak_password",
  TooManyRequestsException: "signin.too_many",
  LimitExceededException: "signin.too_many",
};

export function SignIn(props: { reason?: "expired" | "signed-out" }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [newPassword, setNew] = useState("");
  const [challenge, setChallenge] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (challenge) {
        await setNewPassword(email, challenge, newPassword);
      } else {
        const result = await signIn(email.trim(), password);
        if (result.kind === "new-password") setChallenge(result.challengeSession);
      }
    } catch (caught) {
      const key = caught instanceof CognitoError ? COGNITO_MESSAGES[caught.code] : undefined;
      setError(key ? t(key) : `${t("signin.failed")} (${caught instanceof Error ? caught.message : String(caught)})`);
    } finally {
      setBusy(false);
    }
  };

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
        {challenge ? (
          <>
            <p>{t("signin.new_password_lead")}</p>
            <Field label={t("signin.new_password")} hint={t("signin.password_rules")}>
              {(id, describedBy) => (
                <input
                  id={id}
                  type="password"
                  autoComplete="new-password"
                  required
                  minLength={12}
                  value={newPassword}
                  aria-describedby={describedBy}
                  onInput={(e) => setNew(e.currentTarget.value)}
                />
              )}
            </Field>
          </>
        ) : (
          <>
            <Field label={t("signin.email")}>
              {(id) => (
                <input
                  id={id}
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onInput={(e) => setEmail(e.currentTarget.value)}
                />
              )}
            </Field>
            <Field label={t("signin.password")}>
              {(id) => (
                <input
                  id={id}
                  type="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onInput={(e) => setPassword(e.currentTarget.value)}
                />
              )}
            </Field>
          </>
        )}
        <button type="submit" class="button button-primary button-block" disabled={busy}>
          {busy ? t("common.loading") : t("signin.submit")}
        </button>
        <div class="signin-foot">
          <LangSwitch />
        </div>
      </form>
    </main>
  );
}
