// The dashboard's answer (GET /api/shops/{shop_id}/dashboard): the API's models, from its OpenAPI
// document (src/api/schema.d.ts; `make api-types` refreshes it after a change to the API).
import type { components } from "../../api/schema";

export type DayFigures = components["schemas"]["DayFigures"];
export type StepFigures = components["schemas"]["StepFigures"];
/** A mail whose sending may or may not have happened (``unknown``): the latest few. */
export type UnknownDelivery = components["schemas"]["Delivery"];
export type DashboardData = components["schemas"]["Dashboard"];
/** What the step table reads of the shop's scenarios (GET /scenarios). */
export type ScenarioSummary = Pick<components["schemas"]["Scenario-Output"], "id" | "name" | "steps">;
