// The scenario on a day axis: x = days after the base date (ship, order or arrival), y = hour of
// the day. Quiet hours are shaded, the profile's and the shop's limits are vertical lines, each
// step is a numbered marker coloured by its lint findings. The same content follows as a text
// list, so nothing is said by the drawing alone.
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../lib/i18n";
import {
  ADVERTISING,
  afterQuietHours,
  clock,
  limitOnAxis,
  minutesOf,
  RAKUTEN_AD_MAX_DAYS,
  RAKUTEN_MAX_DAYS,
  templatesOf,
  type Finding,
  type Profile,
  type ShopSettings,
  type Step,
  type Trigger,
} from "./model";

interface Limit {
  day: number;
  label: string;
  /** What the line itself says (the legend has the full label). */
  short: string;
  tone: "bad" | "warn" | "shop";
}

export interface TimelineProps {
  steps: Step[];
  trigger: Trigger;
  shop: ShopSettings | null;
  /** The profiles the scenario is checked under (the lint's): Rakuten's lines only when one is Rakuten. */
  profiles: readonly Profile[];
  findings: Finding[];
  /** template id → its name: a step is shown by the name of the mail it sends, not only its id */
  templateNames?: Record<string, string>;
}

/** What a step sends, by name: its template's, or its A/B variants' ("A/B: ライク / ラブ"); "" when none is known. */
function mailName(step: Step, templateNames?: Record<string, string>): string {
  const names = templatesOf(step).map((id) => templateNames?.[id]);
  if (!step.variants) return names[0] ?? "";
  return t("scenarios.ab_names", { names: names.map((name, index) => name || step.variants![index].template).join(" / ") });
}

/** "ライクメール（2週間後） · like": the template's name and the step's id (the id alone when unknown). */
export function stepName(step: Step, templateNames?: Record<string, string>): string {
  const name = mailName(step, templateNames);
  return name ? `${name} · ${step.id}` : step.id;
}

function severityOf(step: string, findings: Finding[]): "error" | "warning" | "ok" {
  const mine = findings.filter((finding) => finding.step === step);
  if (mine.some((finding) => finding.severity === "error")) return "error";
  return mine.length ? "warning" : "ok";
}

export function limitsOf(trigger: Trigger, shop: ShopSettings | null, profiles: readonly Profile[]): Limit[] {
  // A win-back counts from the lapse day, long after the last order shipped: the limits in days
  // after shipping are checked when it is saved, and do not fall on its axis.
  if (!shop || trigger === "lapsed") return [];
  const limits: Limit[] = [];
  const add = (days: number, key: string, tone: Limit["tone"]) => {
    const { day, exact } = limitOnAxis(days, trigger, shop);
    const label = t(key, { n: days }) + (exact ? "" : t("scenarios.estimate_suffix"));
    const short = t(`${key}_short`);
    const same = limits.find((limit) => limit.day === day);
    if (same) {
      same.label = `${same.label} / ${label}`;
      same.short = `${same.short}・${short}`;
    } else limits.push({ day, label, short, tone });
  };
  if (profiles.includes("rakuten")) {
    add(RAKUTEN_AD_MAX_DAYS, "scenarios.limit_rakuten_ad", "warn");
    add(RAKUTEN_MAX_DAYS, "scenarios.limit_rakuten_max", "bad");
  }
  add(shop.max_window_days, "scenarios.limit_shop", "shop");
  return limits.sort((a, b) => a.day - b.day);
}

/** The last day the axis shows: the latest step, the limits that matter, a week at least. */
function axisEnd(steps: Step[], limits: Limit[]): number {
  const latest = Math.max(0, ...steps.map((step) => (step.immediate ? 0 : (step.offset_days ?? 0))));
  let end = Math.max(latest + 2, 14);
  const near = limits.filter((limit) => limit.day <= Math.max(60, latest * 2));
  if (near.length) end = Math.max(end, Math.max(...near.map((limit) => limit.day)) + 3);
  const unit = end > 70 ? 30 : 7;
  return Math.ceil(end / unit) * unit;
}

const MARGIN = { left: 50, right: 14, top: 46, bottom: 34 };
const PLOT_HEIGHT = 192;
const IMMEDIATE_ROW = 32;
const MIN_WIDTH = 320;
/** Room inside the plot so a marker on day 0 or on the last day is not cut. */
const INSET = 16;

export function Timeline(props: TimelineProps) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(760);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const measure = () => setWidth(Math.max(MIN_WIDTH, Math.floor(element.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const { steps, trigger, shop, profiles, findings, templateNames } = props;
  const limits = limitsOf(trigger, shop, profiles);
  const end = axisEnd(steps, limits);
  const hasImmediate = steps.some((step) => step.immediate);
  const plotTop = MARGIN.top + (hasImmediate ? IMMEDIATE_ROW : 0);
  const height = plotTop + PLOT_HEIGHT + MARGIN.bottom;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const x = (day: number) => MARGIN.left + INSET + (Math.min(day, end) / end) * (plotWidth - 2 * INSET);
  const y = (minutes: number) => plotTop + (minutes / (24 * 60)) * PLOT_HEIGHT;
  const tickEvery = end > 70 ? 30 : 7;
  const ticks = Array.from({ length: Math.floor(end / tickEvery) + 1 }, (_, i) => i * tickEvery);
  const quiet = shop?.quiet_hours ?? null;
  const quietBands: [number, number][] = [];
  if (quiet) {
    const start = minutesOf(quiet.start);
    const stop = minutesOf(quiet.end);
    if (start > stop) quietBands.push([0, stop], [start, 24 * 60]);
    else if (start < stop) quietBands.push([start, stop]);
  }
  const hardLimit = limits.find((limit) => limit.tone !== "warn");
  const titleId = "timeline-title";
  const descId = "timeline-desc";

  return (
    <div class="timeline">
      <div class="timeline-scroll" ref={box}>
        <svg
          class="timeline-svg"
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-labelledby={titleId}
          aria-describedby={descId}
        >
          <title id={titleId}>{t("scenarios.timeline_title")}</title>
          <desc id={descId}>{t("scenarios.timeline_desc")}</desc>
          {quietBands.map(([from, to]) => (
            <rect key={from} class="tl-quiet" x={MARGIN.left} y={y(from)} width={plotWidth} height={y(to) - y(from)}>
              <title>{t("scenarios.quiet_hours_band", { start: quiet?.start.slice(0, 5) ?? "", end: quiet?.end.slice(0, 5) ?? "" })}</title>
            </rect>
          ))}
          {/* beyond the hard limit: nothing may be sent there */}
          {hardLimit && hardLimit.day < end && (
            <rect
              class="tl-beyond"
              x={x(hardLimit.day)}
              y={plotTop}
              width={MARGIN.left + plotWidth - x(hardLimit.day)}
              height={PLOT_HEIGHT}
            />
          )}
          {/* grid */}
          {[0, 6, 12, 18, 24].map((hour) => (
            <g key={`h${hour}`}>
              <line class="tl-grid" x1={MARGIN.left} x2={MARGIN.left + plotWidth} y1={y(hour * 60)} y2={y(hour * 60)} />
              <text class="tl-axis" x={MARGIN.left - 8} y={y(hour * 60) + 4} text-anchor="end">
                {t("scenarios.hour_tick", { h: hour })}
              </text>
            </g>
          ))}
          {ticks.map((day) => (
            <g key={`d${day}`}>
              <line class="tl-grid" x1={x(day)} x2={x(day)} y1={plotTop} y2={plotTop + PLOT_HEIGHT} />
              <text class="tl-axis" x={x(day)} y={plotTop + PLOT_HEIGHT + 16} text-anchor="middle">
                {t("scenarios.day_tick", { n: day })}
              </text>
            </g>
          ))}
          <text class="tl-axis tl-axis-title" x={MARGIN.left + plotWidth} y={height - 4} text-anchor="end">
            {t(`scenarios.axis_${trigger}`)}
          </text>
          <text class="tl-axis tl-axis-title" x={MARGIN.left} y={height - 4} text-anchor="start">
            {t(`scenarios.base_${trigger}`)}
          </text>
          {hasImmediate && (
            <g>
              <rect class="tl-immediate" x={MARGIN.left} y={MARGIN.top} width={plotWidth} height={IMMEDIATE_ROW - 4} />
              <text class="tl-axis" x={MARGIN.left - 8} y={MARGIN.top + 15} text-anchor="end">
                {t("scenarios.immediate_short")}
              </text>
            </g>
          )}
          {/* limits */}
          {limits
            .filter((limit) => limit.day <= end)
            .map((limit, index) => (
              <g key={limit.day} class={`tl-limit tl-limit-${limit.tone}`}>
                <line x1={x(limit.day)} x2={x(limit.day)} y1={MARGIN.top - (index % 2 ? 8 : 24)} y2={plotTop + PLOT_HEIGHT} />
                <text
                  x={x(limit.day) + (x(limit.day) - MARGIN.left > 120 ? -4 : 4)}
                  y={MARGIN.top - (index % 2 ? 12 : 28)}
                  text-anchor={x(limit.day) - MARGIN.left > 120 ? "end" : "start"}
                >
                  {`${limit.short} ${t("scenarios.day_tick", { n: limit.day })}`}
                </text>
              </g>
            ))}
          {/* steps */}
          {steps.map((step, index) => {
            const state = severityOf(step.id, findings);
            const ad = step.purposes.some((purpose) => ADVERTISING.has(purpose));
            const day = step.immediate ? 0 : (step.offset_days ?? 0);
            const cy = step.immediate ? MARGIN.top + (IMMEDIATE_ROW - 4) / 2 : y((step.hour ?? 0) * 60);
            const cx = x(day);
            const moved = step.immediate ? null : afterQuietHours(day, step.hour ?? 0, quiet);
            const label = mailName(step, templateNames) || step.id;
            return (
              <g key={`${step.id}-${index}`} class={`tl-step tl-step-${state}${ad ? " tl-step-ad" : ""}`}>
                <title>{stepSummary(step, index, trigger, quiet, true, templateNames)}</title>
                {moved && (
                  <>
                    <line class="tl-moved" x1={cx} y1={cy} x2={x(moved.day)} y2={y(moved.minutes)} />
                    <circle class="tl-moved-dot" cx={x(moved.day)} cy={y(moved.minutes)} r={4} />
                  </>
                )}
                {ad ? (
                  <rect x={cx - 9} y={cy - 9} width={18} height={18} rx={3} transform={`rotate(45 ${cx} ${cy})`} />
                ) : (
                  <circle cx={cx} cy={cy} r={10} />
                )}
                <text class="tl-step-number" x={cx} y={cy + 4} text-anchor="middle">
                  {index + 1}
                </text>
                <text class="tl-step-label" x={cx > width - 110 ? cx - 14 : cx + 14} y={cy - 8} text-anchor={cx > width - 110 ? "end" : "start"}>
                  {label.length > 16 ? `${label.slice(0, 15)}…` : label}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <ul class="timeline-legend">
        {quiet && (
          <li>
            <span class="legend-swatch legend-quiet" aria-hidden="true" />
            {t("scenarios.legend_quiet", { start: quiet.start.slice(0, 5), end: quiet.end.slice(0, 5) })}
          </li>
        )}
        {limits.map((limit) => (
          <li key={limit.day}>
            <span class={`legend-swatch legend-limit-${limit.tone}`} aria-hidden="true" />
            {limit.label}
          </li>
        ))}
        <li>
          {t("scenarios.legend_ad")}
        </li>
        {shop && shop.flexible_window_minutes > 0 && <li>{t("scenarios.legend_window", { n: shop.flexible_window_minutes })}</li>}
      </ul>
      <ol class="timeline-list" aria-label={t("scenarios.timeline_list")}>
        {steps.map((step, index) => {
          const state = severityOf(step.id, findings);
          return (
            <li key={`${step.id}-${index}`} class={`timeline-item timeline-item-${state}`}>
              <span class="timeline-number">{index + 1}</span>
              <span>
                {stepSummary(step, index, trigger, quiet, false, templateNames)}
                {state !== "ok" && (
                  <span class={`badge badge-${state === "error" ? "bad" : "warn"} timeline-flag`}>
                    {t(state === "error" ? "scenarios.severity_error" : "scenarios.severity_warning")}
                  </span>
                )}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** "出荷日の14日後 19:00" ("出荷日当日 10:00" on day 0). */
export function whenText(trigger: Trigger, days: number, hour: number): string {
  const base = t(`scenarios.base_${trigger}`);
  const time = clock(hour * 60);
  return days === 0 ? t("scenarios.when_same_day", { base, time }) : t("scenarios.when_text", { base, days, time });
}

/** "1. ライクメール（2週間後） · like — 出荷日の14日後 19:00（使い方のご案内・レビュー依頼）" and where quiet hours move it. */
export function stepSummary(
  step: Step,
  index: number,
  trigger: Trigger,
  quiet: ShopSettings["quiet_hours"],
  numbered = true,
  templateNames?: Record<string, string>,
): string {
  const id = stepName(step, templateNames);
  const purposes = step.purposes.map((purpose) => t(`scenarios.purpose_${purpose}`)).join(t("scenarios.list_separator"));
  if (step.immediate) {
    return (numbered ? `${index + 1}. ` : "") + t("scenarios.summary_immediate", { id, purposes });
  }
  const day = step.offset_days ?? 0;
  const hour = step.hour ?? 0;
  let text =
    (numbered ? `${index + 1}. ` : "") +
    t("scenarios.summary", { id, when: whenText(trigger, day, hour), purposes });
  const moved = afterQuietHours(day, hour, quiet);
  if (moved) {
    text += t(moved.day > day ? "scenarios.summary_moved_next_day" : "scenarios.summary_moved", {
      time: clock(moved.minutes),
    });
  }
  if (step.business_days_only) text += t("scenarios.summary_business_days");
  return text;
}
