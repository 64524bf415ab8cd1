// The results' answer (GET /api/shops/{shop_id}/results?days=N, issue #15): what each scenario's
// mails earn. The API's models, from its OpenAPI document (src/api/schema.d.ts; `make api-types`
// refreshes it after a change to the API).
import type { components } from "../../api/schema";

export type ResultsData = components["schemas"]["Results"];
/**
 * One scenario over the period: its runs, held out and mailed (``runs``), those that repeated
 * within ``repeat_days``, their rates, the lift (mailed minus held-out repeat rate, a share) with its
 * 95% interval (``conclusive``: the interval leaves 0 out; ``more_runs_needed``: when inconclusive,
 * about how many more runs would settle it), and the orders credited to its mails.
 */
export type ScenarioResult = components["schemas"]["ScenarioResult"];
/** Runs (or repeated runs) of the mailed and the held-out group. */
export type Groups = components["schemas"]["Groups"];
export type Rates = components["schemas"]["Rates"];
/** One step: ``held_out`` counts the mails of held-out runs (planned, never sent). */
export type StepResult = components["schemas"]["StepResult"];
/** One A/B variant of a step (its template and weight null when the step no longer has it). */
export type VariantResult = components["schemas"]["VariantResult"];
/** POST …/scenarios/{scenario_id}/promote answers the save: the scenario's new version. */
export type PromoteAnswer = components["schemas"]["SaveAnswer"];
