// What the mails add: the repeat rate of the runs that got them minus that of the runs held out,
// with its 95% interval drawn as a range on a line where 0 is marked, and said in words: works,
// backfires, too early to tell (and about how many more runs would tell), or nothing to compare.
import { formatNumber, t } from "../../lib/i18n";
import type { ScenarioResult } from "./types";

export type LiftTone = "ok" | "bad" | "muted";

/** A share as signed points: 0.08 → "+8.0", -0.031 → "-3.1". */
export function points(value: number): string {
  const text = (value * 100).toFixed(1);
  return value > 0 ? `+${text}` : text === "-0.0" ? "0.0" : text;
}

/** The lift in plain words, and its tone. */
export function liftVerdict(result: ScenarioResult): { text: string; tone: LiftTone; estimate: string | null } {
  const { lift, lift_interval: interval } = result;
  const figures =
    lift !== null && interval ? { lift: points(lift), low: points(interval[0]), high: points(interval[1]) } : null;
  if (result.conclusive && figures && lift !== null) {
    return lift > 0
      ? { text: t("results.lift_works", figures), tone: "ok", estimate: null }
      : { text: t("results.lift_backfires", figures), tone: "bad", estimate: null };
  }
  if (result.holdout_percent === 0) return { text: t("results.lift_no_holdout"), tone: "muted", estimate: null };
  const text =
    result.more_runs_needed === null
      ? t("results.lift_undecided")
      : t("results.lift_undecided_more", { n: formatNumber(result.more_runs_needed) });
  return { text, tone: "muted", estimate: figures && t("results.lift_estimate", figures) };
}

const WIDTH = 320;
const HEIGHT = 58;
const AXIS_Y = 30;
const SIDE = 22;

/** The interval as a bar on a line with 0 marked, the estimate as a dot; `label` says it in words. */
export function LiftRange(props: { lift: number; interval: [number, number]; tone: LiftTone; label: string }) {
  const { lift, tone } = props;
  const [low, high] = props.interval;
  // 0 and the whole interval on the line, at least 2 points wide, with a margin either side
  let from = Math.min(low, 0);
  let to = Math.max(high, 0);
  const widen = Math.max(0, 0.02 - (to - from)) / 2;
  const pad = (to - from + 2 * widen) * 0.12;
  from -= widen + pad;
  to += widen + pad;
  const x = (value: number) => SIDE + ((value - from) / (to - from)) * (WIDTH - 2 * SIDE);
  const near = Math.abs(x(high) - x(low)) < 44; // the two end labels would overlap: one label above
  return (
    <svg
      class={`lift-range lift-range-${tone}`}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={props.label}
      data-testid="lift-range"
    >
      <line class="lift-axis" x1={SIDE / 2} x2={WIDTH - SIDE / 2} y1={AXIS_Y} y2={AXIS_Y} />
      <line class="lift-zero" x1={x(0)} x2={x(0)} y1={AXIS_Y - 14} y2={AXIS_Y + 14} />
      <text class="lift-zero-label" x={x(0)} y={AXIS_Y + 26} text-anchor="middle">
        0
      </text>
      <rect class="lift-bar" x={x(low)} y={AXIS_Y - 5} width={Math.max(2, x(high) - x(low))} height={10} rx={5} />
      <circle class="lift-dot" cx={x(lift)} cy={AXIS_Y} r={6} />
      {near ? (
        <text class="lift-label" x={(x(low) + x(high)) / 2} y={AXIS_Y - 12} text-anchor="middle">
          {`${points(low)}〜${points(high)}`}
        </text>
      ) : (
        <>
          <text class="lift-label" x={x(low)} y={AXIS_Y - 12} text-anchor="middle">
            {points(low)}
          </text>
          <text class="lift-label" x={x(high)} y={AXIS_Y - 12} text-anchor="middle">
            {points(high)}
          </text>
        </>
      )}
    </svg>
  );
}

/** The lift of one scenario: its verdict in words, the range, and how it was computed. */
export function Lift(props: { result: ScenarioResult; method: string }) {
  const { result } = props;
  const verdict = liftVerdict(result);
  return (
    <div class={`lift lift-${verdict.tone}`} data-testid="lift">
      <p class="lift-verdict">
        <strong>{verdict.text}</strong>
      </p>
      {verdict.estimate && <p class="small muted lift-estimate">{verdict.estimate}</p>}
      {result.lift !== null && result.lift_interval && (
        <>
          <LiftRange lift={result.lift} interval={result.lift_interval} tone={verdict.tone} label={verdict.estimate ?? verdict.text} />
          <p class="small muted lift-note">
            {t("results.lift_note", { days: result.repeat_days })} {t("results.method", { method: props.method })}
          </p>
        </>
      )}
    </div>
  );
}
