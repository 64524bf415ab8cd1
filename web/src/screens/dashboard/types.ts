// The dashboard's answer (GET /api/shops/{shop_id}/dashboard).
import type { ReceptionEntry } from "../receptions/types";

export interface DayFigures {
  day: string;
  orders: number;
  sent: number;
}

export interface StepFigures {
  scenario_id: string;
  step_id: string;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
  opened: number;
  clicked: number;
}

export interface UnknownDelivery {
  id: string;
  order_key: string;
  customer_email: string | null;
  scenario_id: string;
  step_id: string;
  send_at: string;
  status: string;
  reason: string | null;
}

export interface DashboardData {
  day_from: string;
  day_to: string;
  days: DayFigures[];
  steps: StepFigures[];
  waiting: number;
  unknown: number;
  latest_unknown: UnknownDelivery[];
  failed_receptions: number;
  latest_failed_receptions: ReceptionEntry[];
}

export interface ScenarioSummary {
  id: string;
  name: string | null;
  steps: { id: string; template?: string }[];
}
