// Shapes shared by several screens: the API's own models, from its OpenAPI document
// (src/api/schema.d.ts, made by openapi-typescript; `make api-types` refreshes it).
import type { components } from "../api/schema";
import type { Route } from "./router";

/** Every model of the admin API, by the name its OpenAPI document gives it. */
export type Schemas = components["schemas"];

export type ShopSummary = components["schemas"]["ShopSummary"];

/** An invitation to a shop, waiting for the signed-in user to accept or decline it. */
export type Invitation = components["schemas"]["Invitation"];

/** On a screen, ``role`` is the role in the shop on screen (a role belongs to a shop). */
export type Me = components["schemas"]["Me"];

/** What every screen is given. */
export interface ScreenProps {
  shop: string;
  route: Route;
  me: Me;
}
