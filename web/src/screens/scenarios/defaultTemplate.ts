// Which template a step starts with (issue #13): the one that fits the step — its id, then its
// purposes, then the scenario's trigger — among the templates no other step uses; else the first
// template no step uses; else one the previous step does not use; else the first. (Before, the
// first alphabetically was always chosen: a new scenario's thanks step got the "like" template.)
// Until the operator picks a template by hand, the step's template follows its id and purposes
// (then only the previous step's template is left out: two steps may well share one).
import type { Purpose, StepDraft, TemplateSummary, Trigger } from "./model";

/** Words a template's id or name carries when it is written for that purpose (ja and en). */
const PURPOSE_WORDS: Record<Purpose, readonly string[]> = {
  thanks: ["thanks", "thank", "サンキュー", "お礼", "ありがとう", "感謝"],
  arrival_check: ["arrival", "到着", "届"],
  usage_tips: ["tips", "usage", "howto", "使い方", "淹れ方", "ご案内"],
  review_request: ["review", "レビュー"],
  coupon: ["coupon", "クーポン"],
  promotion: ["promotion", "promo", "sale", "セール", "販促", "キャンペーン"],
};

/** Words of the day a scenario counts from: a weak hint, below the step's own id and purposes. */
const TRIGGER_WORDS: Record<Trigger, readonly string[]> = {
  ordered: ["order", "注文"],
  shipped: ["ship", "出荷", "発送"],
  delivered: ["deliver", "到着", "配達"],
  lapsed: ["winback", "win-back", "lapsed", "comeback", "休眠", "お久しぶり", "ご無沙汰"],
};

/** The id a new step gets (step1, step2, …) says nothing about its mail. */
const GENERATED_ID = /^step\d*$/i;

function matches(template: TemplateSummary, word: string): boolean {
  const needle = word.toLowerCase();
  return template.id.toLowerCase().includes(needle) || template.name.toLowerCase().includes(needle);
}

/** How well a template fits a step: 0 when nothing about the step points at it. */
export function fit(template: TemplateSummary, step: Pick<StepDraft, "id" | "purposes">, trigger: Trigger): number {
  let score = 0;
  const id = step.id.trim().toLowerCase();
  if (id && !GENERATED_ID.test(id)) {
    if (template.id.toLowerCase() === id) score += 100;
    else if (id.length >= 3 && matches(template, id)) score += 50;
    else if (template.id.length >= 3 && id.includes(template.id.toLowerCase())) score += 50;
  }
  for (const purpose of step.purposes) {
    if (template.id.toLowerCase() === purpose) score += 20;
    else if (PURPOSE_WORDS[purpose].some((word) => matches(template, word))) score += 10;
  }
  if (score > 0 && TRIGGER_WORDS[trigger].some((word) => matches(template, word))) score += 1;
  return score;
}

export interface Neighbours {
  /** The template of the step before this one, if any. */
  previous?: string;
  /** The templates the scenario's other steps use. */
  used?: readonly string[];
}

/** The template that fits the step best, those in `leftOut` aside; null when none fits. */
export function fittest(
  templates: readonly TemplateSummary[],
  step: Pick<StepDraft, "id" | "purposes">,
  trigger: Trigger,
  leftOut: ReadonlySet<string> = new Set(),
): string | null {
  let best: string | null = null;
  let bestScore = 0;
  for (const template of templates) {
    if (leftOut.has(template.id)) continue;
    const score = fit(template, step, trigger);
    if (score > bestScore) [best, bestScore] = [template.id, score];
  }
  return best;
}

/** The template a step starts with; "" when the shop has none. */
export function defaultTemplate(
  templates: readonly TemplateSummary[],
  step: Pick<StepDraft, "id" | "purposes">,
  trigger: Trigger,
  neighbours: Neighbours = {},
): string {
  if (templates.length === 0) return "";
  const used = new Set([...(neighbours.used ?? []), ...(neighbours.previous ? [neighbours.previous] : [])]);
  const fitting = fittest(templates, step, trigger, used);
  if (fitting) return fitting;
  const fresh = templates.filter((template) => template.id !== neighbours.previous);
  const unused = fresh.find((template) => !used.has(template.id));
  return (unused ?? fresh[0] ?? templates[0]).id;
}

/** A step the operator changed: until its template is picked by hand, it follows the step's id and
 * purposes to a template that fits them (and stays where it is when none does). */
export function followStep(
  next: StepDraft,
  before: StepDraft,
  templates: readonly TemplateSummary[],
  trigger: Trigger,
  neighbours: Neighbours,
): StepDraft {
  if (next.template !== before.template) return { ...next, templateChosen: true };
  if (next.templateChosen || (next.id === before.id && next.purposes === before.purposes)) return next;
  const fitting = fittest(templates, next, trigger, new Set(neighbours.previous ? [neighbours.previous] : []));
  return fitting ? { ...next, template: fitting } : next;
}
