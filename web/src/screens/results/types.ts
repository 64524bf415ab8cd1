// The results' answer (GET /api/shops/{shop_id}/results?days=N, issue #15): what each scenario's
// mails earn. Declared here from the API's contract until the backend's models reach its OpenAPI
// document; then each becomes `components["schemas"][…]` like screens/dashboard/types.ts.
// TODO(#15): `make api-types`, then take these from ../../api/schema.

/** Two counts side by side: the runs that got the mails, and the runs held out (planned, not sent). */
export interface Groups<T> {
  mailed: T;
  held_out: T;
}

/** One A/B variant of a step over the period. ``conversion_rate``: null when none was sent. */
export interface VariantResult {
  variant: string;
  template: string;
  weight: number;
  sent: number;
  converted: number;
  revenue: number;
  conversion_rate: number | null;
}

/**
 * The A/B test's verdict: ``winner`` (the variant whose rate is better, p below 0.05),
 * ``undecided`` (enough mails, no difference shown) or ``too_few`` (fewer than ``min_sample``
 * mails in a variant).
 */
export interface AbVerdict {
  verdict: "winner" | "undecided" | "too_few";
  winner: string | null;
  p_value: number | null;
  min_sample: number;
}

export interface StepResult {
  step_id: string;
  purposes: string[];
  sent: number;
  /** Mails of held-out runs: planned, never sent. */
  held_out: number;
  converted: number;
  revenue: number;
  conversion_rate: number | null;
  revenue_per_mail: number | null;
  /** Empty when the step has no variants. */
  variants: VariantResult[];
  ab: AbVerdict | null;
}

export type HoldoutScope = "whole_run" | "advertising_only";

export interface ScenarioResult {
  scenario_id: string;
  name: string;
  active: boolean;
  holdout_percent: number;
  holdout_scope: HoldoutScope;
  /** A run repeats when its customer orders again within this many days of its start. */
  repeat_days: number;
  runs: Groups<number>;
  repeated: Groups<number>;
  repeat_rate: Groups<number | null>;
  /** Mailed repeat rate minus held-out repeat rate (a share: 0.08 = 8 points); null without both. */
  lift: number | null;
  /** The lift's 95% interval [low, high]. */
  lift_interval: [number, number] | null;
  /** The interval leaves 0 out. */
  conclusive: boolean;
  /** When inconclusive: about how many more runs (both groups) would settle it; null: no estimate. */
  more_runs_needed: number | null;
  converted: number;
  revenue: number;
  steps: StepResult[];
}

export interface ResultsData {
  day_from: string;
  day_to: string;
  /** The shop's setting: an order this many days after a mail is credited to it. */
  attribution_days: number;
  /** The shop's orders in the period. */
  orders: number;
  lift_method: string;
  ab_method: string;
  scenarios: ScenarioResult[];
}

/** POST …/scenarios/{scenario_id}/promote answers the scenario's new version. */
export interface PromoteAnswer {
  id: string;
  version: number;
}
