// Shapes shared by several screens (the API's OpenAPI document has them all).
import type { Route } from "./router";

export interface ShopSummary {
  id: string;
  name: string | null;
}

export interface Me {
  sub: string;
  email: string | null;
  role: "staff" | "manager" | "owner";
  shops: ShopSummary[];
}

/** What every screen is given. */
export interface ScreenProps {
  shop: string;
  route: Route;
  me: Me;
}
