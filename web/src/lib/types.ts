// Shapes shared by several screens (the API's OpenAPI document has them all).
import type { Route } from "./router";

export interface ShopSummary {
  id: string;
  name: string | null;
  role: "staff" | "manager" | "owner";
}

/** An invitation to a shop, waiting for the signed-in user to accept or decline it. */
export interface Invitation {
  shop: string;
  name: string | null;
  role: "staff" | "manager" | "owner";
}

export interface Me {
  sub: string;
  email: string | null;
  /** On a screen: the role in the shop on screen (a role belongs to a shop). */
  role: "staff" | "manager" | "owner" | null;
  shops: ShopSummary[];
  invitations: Invitation[];
}

/** What every screen is given. */
export interface ScreenProps {
  shop: string;
  route: Route;
  me: Me;
}
