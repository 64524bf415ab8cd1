// Scenarios as the API has them (its OpenAPI document, src/api/schema.d.ts), the editor's
// draft (form text, so a half-typed number is not lost), and the timing rules the timeline draws.
import type { components } from "../../api/schema";
import { shopPath } from "../../lib/api";
import { defaultTemplate } from "./defaultTemplate";

export type Trigger = components["schemas"]["Scenario-Output"]["trigger"];
export type RepeatPolicy = components["schemas"]["Scenario-Output"]["repeat_policy"];
export type Purpose = components["schemas"]["Step-Output"]["purposes"][number];
export type Profile = components["schemas"]["Shop-Output"]["compliance"];
/** Which pending steps of the customer's earlier runs stop when they order again (issue #16). */
export type StopOnReorder = components["schemas"]["Scenario-Output"]["stop_on_reorder"];

export const TRIGGERS: readonly Trigger[] = ["shipped", "ordered", "delivered", "lapsed"];
export const STOP_ON_REORDER: readonly StopOnReorder[] = ["advertising", "all", "none"];
/** ``trigger: lapsed`` (a win-back): the run starts when the customer's last order is this many days old. */
export const MIN_LAPSED_DAYS = 30;
export const MAX_LAPSED_DAYS = 730;
export const DEFAULT_LAPSED_DAYS = 90;
export const REPEAT_POLICIES: readonly RepeatPolicy[] = ["every_time", "once", "skip_if_active", "restart"];
export const PURPOSES: readonly Purpose[] = ["thanks", "arrival_check", "usage_tips", "review_request", "coupon", "promotion"];
export const ADVERTISING: ReadonlySet<Purpose> = new Set(["coupon", "promotion"]);
export const MAX_STEPS = 10;
export const HOLDOUT_SCOPES: readonly HoldoutScope[] = ["whole_run", "advertising_only"];
export const MAX_HOLDOUT_PERCENT = 50;
export const DEFAULT_REPEAT_DAYS = 60;
export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 4;
export const MAX_WEIGHT = 100;
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
/** The Rakuten profile's limits (okaeri.compliance): days after shipping. */
export const RAKUTEN_MAX_DAYS = 30;
export const RAKUTEN_AD_MAX_DAYS = 21;

export type Conditions = components["schemas"]["Conditions-Output"];
/** ``advertising_only``: a held-out run still gets its transactional mails (issue #15). */
export type HoldoutScope = components["schemas"]["Scenario-Output"]["holdout_scope"];
/** One wording of an A/B-tested step: its template and its share (``weight``) of the mails. */
export type Variant = components["schemas"]["Variant-Output"];
/** A step sends its one ``template``, or one of its 2–4 ``variants`` (exactly one of the two). */
export type Step = components["schemas"]["Step-Output"];
/** ``holdout_percent``: the share of runs held out (planned, never sent) to measure what the mails
 * add; ``repeat_days``: a run repeats when its customer orders again within this many days. */
export type Scenario = components["schemas"]["Scenario-Output"];
/** ``variant``: the A/B variant of the step the finding is about, when it is one. */
export type Finding = components["schemas"]["Finding"];
export type LintAnswer = components["schemas"]["LintAnswer"];
export type SaveAnswer = components["schemas"]["SaveAnswer"];
export type ScenarioState = components["schemas"]["ScenarioState"];
export type VersionInfo = components["schemas"]["VersionInfo"];
/** What the editor reads of the shop's templates (GET /templates). */
export type TemplateSummary = Pick<components["schemas"]["Template-Output"], "id" | "name" | "version">;
/** What the editor reads of the shop's settings (GET /settings). */
export type ShopSettings = components["schemas"]["Shop-Output"];
/** The plan a scenario makes for an order; ``active``: the scenario as it is now is started. */
export type PlanPreview = components["schemas"]["PlanPreview"];

export const scenariosPath = (shop: string, ...rest: string[]) =>
  shopPath(shop, ["/scenarios", ...rest.map(encodeURIComponent)].join("/"));

// --- the editor's draft --------------------------------------------------------------------------

export interface StepDraft {
  /** Stable key for the list while ids are typed. */
  key: number;
  id: string;
  immediate: boolean;
  offset_days: string;
  hour: string;
  business_days_only: boolean;
  /** The step's one template (kept while variants are on, for when they are turned off). */
  template: string;
  /** The A/B variants; null: the step sends `template`. */
  variants: VariantDraft[] | null;
  purposes: Purpose[];
  /** The operator picked the template (a loaded step's was); until then it follows the step. */
  templateChosen?: boolean;
}

export interface VariantDraft {
  /** Stable key for the list while ids are typed. */
  key: number;
  id: string;
  template: string;
  weight: string;
}

export type Tristate = "" | "true" | "false";

export interface ConditionsDraft {
  sources: string;
  skus: string;
  first_order: Tristate;
  payment_methods: string;
  prefectures: string;
  gift: Tristate;
  min_total: string;
  min_order_count: string;
}

export interface Draft {
  id: string;
  name: string;
  trigger: Trigger;
  repeat_policy: RepeatPolicy;
  priority: string;
  holdout_percent: string;
  holdout_scope: HoldoutScope;
  repeat_days: string;
  stop_on_reorder: StopOnReorder;
  /** ``trigger: lapsed`` only (kept while another trigger is chosen, for when it comes back). */
  lapsed_days: string;
  conditions: ConditionsDraft;
  steps: StepDraft[];
}

let stepKeys = 0;
export const nextStepKey = () => ++stepKeys;

const listText = (list: string[] | null) => (list ?? []).join(", ");
const tristate = (value: boolean | null): Tristate => (value === null ? "" : value ? "true" : "false");
const numberText = (value: number | null) => (value === null ? "" : String(value));

export function toDraft(scenario: Scenario): Draft {
  const c = scenario.conditions;
  return {
    id: scenario.id,
    name: scenario.name,
    trigger: scenario.trigger,
    repeat_policy: scenario.repeat_policy,
    priority: String(scenario.priority),
    holdout_percent: String(scenario.holdout_percent),
    holdout_scope: scenario.holdout_scope,
    repeat_days: String(scenario.repeat_days),
    stop_on_reorder: scenario.stop_on_reorder,
    lapsed_days: String(scenario.lapsed_days ?? DEFAULT_LAPSED_DAYS),
    conditions: {
      sources: listText(c.sources),
      skus: listText(c.skus),
      first_order: tristate(c.first_order),
      payment_methods: listText(c.payment_methods),
      prefectures: listText(c.prefectures),
      gift: tristate(c.gift),
      min_total: numberText(c.min_total),
      min_order_count: numberText(c.min_order_count),
    },
    steps: scenario.steps.map((step) => ({
      key: nextStepKey(),
      id: step.id,
      immediate: step.immediate,
      offset_days: numberText(step.offset_days),
      hour: numberText(step.hour),
      business_days_only: step.business_days_only,
      template: step.template ?? step.variants?.[0]?.template ?? "",
      variants: step.variants?.map((variant) => ({ ...variant, key: nextStepKey(), weight: String(variant.weight) })) ?? null,
      purposes: [...step.purposes],
      templateChosen: true,
    })),
  };
}

/** A blank scenario; its step 1 starts with the template that fits it (defaultTemplate). */
export function newDraft(templates: readonly TemplateSummary[]): Draft {
  const draft: Draft = {
    id: "",
    name: "",
    trigger: "shipped",
    repeat_policy: "every_time",
    priority: "0",
    holdout_percent: "0",
    holdout_scope: "whole_run",
    repeat_days: String(DEFAULT_REPEAT_DAYS),
    stop_on_reorder: "advertising",
    lapsed_days: String(DEFAULT_LAPSED_DAYS),
    conditions: {
      sources: "",
      skus: "",
      first_order: "",
      payment_methods: "",
      prefectures: "",
      gift: "",
      min_total: "",
      min_order_count: "",
    },
    steps: [],
  };
  draft.steps = [firstStep(draft.trigger, templates)];
  return draft;
}

/** What a new scenario's step 1 is for its trigger: a thanks mail on day 0, or for a win-back
 * (lapsed) a coupon mail on the lapse day. */
function firstStepShape(trigger: Trigger): Pick<StepDraft, "id" | "purposes"> {
  return trigger === "lapsed" ? { id: "winback", purposes: ["coupon"] } : { id: "step1", purposes: ["thanks"] };
}

/** A new scenario's step 1, with the template that fits it (defaultTemplate). */
function firstStep(trigger: Trigger, templates: readonly TemplateSummary[]): StepDraft {
  const step = { ...newStep(1, ""), ...firstStepShape(trigger) };
  step.purposes = [...step.purposes];
  step.template = defaultTemplate(templates, step, trigger);
  return step;
}

/** The steps are still the one a new scenario started with (nothing typed or picked by hand). */
function untouched(steps: readonly StepDraft[], trigger: Trigger): boolean {
  if (steps.length !== 1) return false;
  const [step] = steps;
  const shape = firstStepShape(trigger);
  return (
    !step.templateChosen &&
    step.variants === null &&
    !step.immediate &&
    !step.business_days_only &&
    step.offset_days === "0" &&
    step.hour === "10" &&
    step.id === shape.id &&
    step.purposes.join() === shape.purposes.join()
  );
}

/** The draft on another trigger: a new scenario whose step 1 is untouched gets the new trigger's
 * step 1 (a win-back starts with a coupon mail on the lapse day). */
export function withTrigger(draft: Draft, trigger: Trigger, templates: readonly TemplateSummary[], creating: boolean): Draft {
  const next = { ...draft, trigger };
  if (creating && untouched(draft.steps, draft.trigger)) next.steps = [firstStep(trigger, templates)];
  return next;
}

export function newStep(n: number, template: string, after?: StepDraft): StepDraft {
  const day = after && !after.immediate ? Math.min(365, (Number(after.offset_days) || 0) + 7) : 0;
  return {
    key: nextStepKey(),
    id: `step${n}`,
    immediate: false,
    offset_days: String(day),
    hour: "10",
    business_days_only: false,
    template,
    variants: null,
    purposes: ["thanks"],
  };
}

/** The templates a step sends: its variants', or its one. */
export function templatesOf(step: { template: string | null; variants: readonly { template: string }[] | null }): string[] {
  return step.variants ? step.variants.map((variant) => variant.template) : step.template ? [step.template] : [];
}

/** A step's variants, from one template: it as "a", and another (one the step does not send) as "b". */
export function startVariants(step: StepDraft, templates: readonly TemplateSummary[]): VariantDraft[] {
  const other = templates.find((template) => template.id !== step.template)?.id ?? step.template;
  return [
    { key: nextStepKey(), id: "a", template: step.template, weight: "1" },
    { key: nextStepKey(), id: "b", template: other, weight: "1" },
  ];
}

/** One more variant: the next free letter, a template its step does not send yet (else the first). */
export function nextVariant(variants: readonly VariantDraft[], templates: readonly TemplateSummary[]): VariantDraft {
  const ids = new Set(variants.map((variant) => variant.id));
  const id = "abcdefgh".split("").find((letter) => !ids.has(letter)) ?? `v${variants.length + 1}`;
  const used = new Set(variants.map((variant) => variant.template));
  const template = templates.find((item) => !used.has(item.id))?.id ?? templates[0]?.id ?? "";
  return { key: nextStepKey(), id, template, weight: "1" };
}

/** Each variant's share of the step's mails, in percent (null where a weight is not a number yet). */
export function sharesOf(variants: readonly VariantDraft[]): (number | null)[] {
  const weights = variants.map((variant) => {
    const weight = /^\d+$/.test(variant.weight.trim()) ? Number(variant.weight) : 0;
    return weight >= 1 && weight <= MAX_WEIGHT ? weight : null;
  });
  const total = weights.reduce<number>((sum, weight) => sum + (weight ?? 0), 0);
  return weights.map((weight) => (weight === null || total === 0 ? null : Math.round((weight / total) * 100)));
}

/** A problem found before asking the API: which field, of which step and variant (by key), in catalog terms. */
export interface LocalProblem {
  step: number | null;
  /** The variant's key, when the field is a variant's. */
  variant?: number;
  field: string;
  key: string;
}

function parseList(text: string): string[] | null {
  const items = text
    .split(/[,、\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length ? items : null;
}

function parseInteger(text: string, min: number, max: number): number | null | undefined {
  if (text.trim() === "") return null;
  if (!/^\d+$/.test(text.trim())) return undefined;
  const value = Number(text);
  return value < min || value > max ? undefined : value;
}

const fromTristate = (value: Tristate) => (value === "" ? null : value === "true");

/** The draft as the API's Scenario, and what is wrong with it before the API is asked. */
export function fromDraft(draft: Draft, active: boolean, version: number): { scenario: Scenario; problems: LocalProblem[] } {
  const problems: LocalProblem[] = [];
  const problem = (step: number | null, field: string, key: string, variant?: number) =>
    problems.push({ step, field, key, ...(variant === undefined ? {} : { variant }) });
  if (!ID_PATTERN.test(draft.id)) problem(null, "id", "scenarios.problem_id");
  if (!draft.name.trim()) problem(null, "name", "scenarios.problem_name");
  const priority = /^-?\d+$/.test(draft.priority.trim()) ? Number(draft.priority) : undefined;
  if (priority === undefined) problem(null, "priority", "scenarios.problem_priority");
  const c = draft.conditions;
  const minTotal = parseInteger(c.min_total, 0, 1_000_000_000);
  if (minTotal === undefined) problem(null, "min_total", "scenarios.problem_min_total");
  const minCount = parseInteger(c.min_order_count, 1, 100_000);
  if (minCount === undefined) problem(null, "min_order_count", "scenarios.problem_min_order_count");
  const holdout = parseInteger(draft.holdout_percent, 0, MAX_HOLDOUT_PERCENT);
  if (holdout === undefined || holdout === null) problem(null, "holdout_percent", "scenarios.problem_holdout_percent");
  const repeatDays = parseInteger(draft.repeat_days, 1, 365);
  if (repeatDays === undefined || repeatDays === null) problem(null, "repeat_days", "scenarios.problem_repeat_days");
  const lapsed = draft.trigger === "lapsed";
  const lapsedDays = lapsed ? parseInteger(draft.lapsed_days, MIN_LAPSED_DAYS, MAX_LAPSED_DAYS) : null;
  if (lapsedDays === undefined || (lapsed && lapsedDays === null)) problem(null, "lapsed_days", "scenarios.problem_lapsed_days");
  const seen = new Set<string>();
  const steps: Step[] = draft.steps.map((step) => {
    if (!ID_PATTERN.test(step.id)) problem(step.key, "id", "scenarios.problem_step_id");
    else if (seen.has(step.id)) problem(step.key, "id", "scenarios.problem_step_id_twice");
    seen.add(step.id);
    const variants = step.variants && variantsOf(step.key, step.variants, problem);
    if (!variants && !step.template) problem(step.key, "template", "scenarios.problem_template");
    if (step.purposes.length === 0) problem(step.key, "purposes", "scenarios.problem_purposes");
    let offset: number | null = null;
    let hour: number | null = null;
    if (!step.immediate) {
      const o = parseInteger(step.offset_days, 0, 365);
      const h = parseInteger(step.hour, 0, 23);
      if (o === undefined || o === null) problem(step.key, "offset_days", "scenarios.problem_offset");
      if (h === undefined || h === null) problem(step.key, "hour", "scenarios.problem_hour");
      offset = o ?? 0;
      hour = h ?? 0;
    }
    return {
      id: step.id,
      offset_days: offset,
      hour,
      immediate: step.immediate,
      business_days_only: step.business_days_only,
      template: variants ? null : step.template,
      variants,
      purposes: [...step.purposes],
    };
  });
  if (steps.length === 0) problem(null, "steps", "scenarios.problem_no_steps");
  return {
    scenario: {
      id: draft.id,
      name: draft.name.trim(),
      trigger: draft.trigger,
      conditions: {
        sources: parseList(c.sources),
        skus: parseList(c.skus),
        first_order: fromTristate(c.first_order),
        payment_methods: parseList(c.payment_methods),
        prefectures: parseList(c.prefectures),
        gift: fromTristate(c.gift),
        min_total: minTotal ?? null,
        min_order_count: minCount ?? null,
      },
      repeat_policy: draft.repeat_policy,
      priority: priority ?? 0,
      active,
      version,
      holdout_percent: holdout ?? 0,
      holdout_scope: draft.holdout_scope,
      repeat_days: repeatDays ?? DEFAULT_REPEAT_DAYS,
      stop_on_reorder: draft.stop_on_reorder,
      lapsed_days: lapsed ? (lapsedDays ?? DEFAULT_LAPSED_DAYS) : null,
      steps,
    },
    problems,
  };
}

/** A step's variants as the API's, and what is wrong with each (an id, a template, a weight). */
function variantsOf(
  step: number,
  drafts: readonly VariantDraft[],
  problem: (step: number, field: string, key: string, variant: number) => void,
): Variant[] {
  const seen = new Set<string>();
  return drafts.map((variant) => {
    if (!ID_PATTERN.test(variant.id)) problem(step, "id", "scenarios.problem_variant_id", variant.key);
    else if (seen.has(variant.id)) problem(step, "id", "scenarios.problem_variant_id_twice", variant.key);
    seen.add(variant.id);
    if (!variant.template) problem(step, "template", "scenarios.problem_template", variant.key);
    const weight = parseInteger(variant.weight, 1, MAX_WEIGHT);
    if (weight === undefined || weight === null) problem(step, "weight", "scenarios.problem_weight", variant.key);
    return { id: variant.id, template: variant.template, weight: weight ?? 1 };
  });
}

/** The content that a save compares (a save with the same content makes no new version). */
export function contentOf(scenario: Scenario): string {
  const { active: _active, version: _version, ...rest } = scenario;
  return JSON.stringify(rest);
}

// --- timing --------------------------------------------------------------------------------------

export function minutesOf(time: string): number {
  const [h = "0", m = "0"] = time.split(":");
  return Number(h) * 60 + Number(m);
}

export function clock(minutes: number): string {
  const h = Math.floor(minutes / 60) % 24;
  const m = minutes % 60;
  return `${h}:${String(m).padStart(2, "0")}`;
}

/**
 * Where a step at `day`/`hour` really goes when the hour is inside the quiet hours (the planner
 * moves it to the end of the quiet hours, start inclusive, end exclusive); null when it is not.
 */
export function afterQuietHours(
  day: number,
  hour: number,
  quiet: ShopSettings["quiet_hours"],
): { day: number; minutes: number } | null {
  if (!quiet) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const at = hour * 60;
  if (start === end) return null;
  if (start < end) return start <= at && at < end ? { day, minutes: end } : null;
  if (at >= start) return { day: day + 1, minutes: end };
  if (at < end) return { day, minutes: end };
  return null;
}

/**
 * Where a limit counted in days after shipping falls on the scenario's own axis (days after its
 * base date), and whether that is exact or an estimate (orders: the ship lead; arrivals: transit).
 */
export function limitOnAxis(days: number, trigger: Trigger, shop: ShopSettings): { day: number; exact: boolean } {
  if (trigger === "shipped") return { day: days, exact: true };
  if (trigger === "ordered") return { day: days + shop.ship_lead_business_days, exact: false };
  const transit = Object.values(shop.transit_days);
  const fewest = transit.length ? Math.min(...transit) : 0;
  return { day: Math.max(0, days - fewest), exact: false };
}
