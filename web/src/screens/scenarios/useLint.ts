// The editor's live check: POST scenarios/lint with the draft, debounced, the latest answer wins.
import { useEffect, useRef, useState } from "preact/hooks";
import { post } from "../../lib/api";
import { scenariosPath, type Finding, type LintAnswer, type Profile, type Scenario } from "./model";

export const LINT_DELAY_MS = 400;

export interface LintState {
  findings: Finding[];
  /** The shop's own profile (its `compliance`: rakuten, yahoo, none). */
  profile: string | null;
  /**
   * The profiles the draft was checked under (the lint answer's `profiles`): the malls its sources
   * can reach, not only the shop's own. Null until the API has answered.
   */
  profiles: Profile[] | null;
  checking: boolean;
  /** The API refused the draft itself (a 422 with details), or could not be reached. */
  error: unknown;
}

/** Lints `scenario` (null: the draft is not complete enough to ask) after a pause in typing. */
export function useLint(shop: string, scenario: Scenario | null): LintState {
  const [state, setState] = useState<LintState>({ findings: [], profile: null, profiles: null, checking: false, error: null });
  const latest = useRef(0);
  const body = scenario ? JSON.stringify(scenario) : null;
  useEffect(() => {
    if (body === null) {
      setState((previous) => ({ ...previous, checking: false }));
      return;
    }
    const ticket = ++latest.current;
    setState((previous) => ({ ...previous, checking: true }));
    const timer = setTimeout(() => {
      post<LintAnswer>(scenariosPath(shop, "lint"), JSON.parse(body))
        .then((answer) => {
          if (ticket === latest.current) {
            setState({ findings: answer.findings, profile: answer.profile, profiles: answer.profiles, checking: false, error: null });
          }
        })
        .catch((error: unknown) => {
          if (ticket === latest.current) setState((previous) => ({ ...previous, checking: false, error }));
        });
    }, LINT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [shop, body]);
  return state;
}
