import { lang, setLang, t, useLang } from "../lib/i18n";

/** 日本語 / English: the choice is kept in this browser. */
export function LangSwitch() {
  useLang();
  return (
    <div class="lang-switch" role="group" aria-label={t("common.language")}>
      <button type="button" aria-pressed={lang() === "ja"} lang="ja" onClick={() => setLang("ja")}>
        日本語
      </button>
      <button type="button" aria-pressed={lang() === "en"} lang="en" onClick={() => setLang("en")}>
        English
      </button>
    </div>
  );
}
