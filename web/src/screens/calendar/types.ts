// The calendar API's shapes (GET/PUT /calendar, POST /calendar/days): its OpenAPI document
// (src/api/schema.d.ts).
import type { components } from "../../api/schema";

export type Weekday = components["schemas"]["CalendarDay"]["weekday"];
export type ClosureReason = components["schemas"]["CalendarDay"]["reasons"][number];

export type CalendarDay = components["schemas"]["CalendarDay"];
export type SampleShipDate = components["schemas"]["SampleShipDate"];
export type CalendarYear = components["schemas"]["CalendarYear"];
export type DayState = components["schemas"]["DayState"];
/** The rules the form edits: a PUT /calendar body (a CalendarUpdate) that names them all. */
export type CalendarRules = Pick<
  CalendarYear,
  "closed_weekdays" | "closed_on_public_holidays" | "cutoff" | "ship_lead_business_days"
> &
  components["schemas"]["CalendarUpdate"];

/** Monday first, as the API's enum and a Japanese shop's week of work. */
export const WEEKDAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/** A printed calendar's columns: Sunday first, as Japanese wall calendars. */
export const COLUMNS: Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
