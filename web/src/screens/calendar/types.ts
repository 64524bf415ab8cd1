// The calendar API's shapes (GET/PUT /calendar, POST /calendar/days in the OpenAPI document).
export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export type ClosureReason = "closed_date" | "holiday" | "weekday";

export interface CalendarDay {
  date: string;
  weekday: Weekday;
  open: boolean;
  reasons: ClosureReason[];
  holiday?: string | null;
}

export interface SampleShipDate {
  ordered_at: string;
  order_day: string;
  accept_day: string;
  ship_date: string;
}

export interface CalendarYear {
  year: number;
  timezone: string;
  closed_weekdays: Weekday[];
  closed_on_public_holidays: boolean;
  closed_dates: string[];
  open_dates: string[];
  cutoff: string;
  ship_lead_business_days: number;
  days: CalendarDay[];
  holidays: { date: string; name: string }[];
  sample: SampleShipDate;
}

export interface DayState {
  date: string;
  open: boolean;
  reasons: ClosureReason[];
  holiday: string | null;
  sample: SampleShipDate;
}

export interface CalendarRules {
  closed_weekdays: Weekday[];
  closed_on_public_holidays: boolean;
  cutoff: string;
  ship_lead_business_days: number;
}

/** Monday first, as the API's enum and a Japanese shop's week of work. */
export const WEEKDAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/** A printed calendar's columns: Sunday first, as Japanese wall calendars. */
export const COLUMNS: Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
