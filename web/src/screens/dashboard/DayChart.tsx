// Orders and mails sent per day: a Chart.js bar + line chart, with the same figures as a table for
// screen readers and for anyone who wants the numbers.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { useEffect, useRef } from "preact/hooks";
import { Table } from "../../components/table";
import { formatNumber, t, useLang } from "../../lib/i18n";
import type { DayFigures } from "./types";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily || "system-ui, sans-serif";
Chart.defaults.color = "#57606a";

const ORDERS_COLOR = "#c2410c";
const SENT_COLOR = "#0969da";

/** "2026-11-30" → "11/30" (the chart's axis; the table below has the full date). */
function shortDay(day: string): string {
  const [, month, date] = day.split("-");
  return `${Number(month)}/${Number(date)}`;
}

export function DayChart(props: { days: DayFigures[] }) {
  const lang = useLang();
  const canvas = useRef<HTMLCanvasElement>(null);
  const { days } = props;

  useEffect(() => {
    if (!canvas.current) return;
    const config: ChartConfiguration<"bar" | "line", number[], string> = {
      type: "bar",
      data: {
        labels: days.map((d) => shortDay(d.day)),
        datasets: [
          {
            type: "bar",
            label: t("dashboard.orders"),
            data: days.map((d) => d.orders),
            backgroundColor: ORDERS_COLOR,
            borderRadius: 3,
            maxBarThickness: 28,
            order: 2,
          },
          {
            type: "line",
            label: t("dashboard.sent"),
            data: days.map((d) => d.sent),
            borderColor: SENT_COLOR,
            backgroundColor: SENT_COLOR,
            borderWidth: 2,
            pointRadius: days.length > 14 ? 0 : 2.5,
            pointHoverRadius: 4,
            cubicInterpolationMode: "monotone",
            order: 1,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0, autoSkipPadding: 8 } },
          y: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: "#eeebe6" } },
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: { boxWidth: 12, boxHeight: 12, sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) },
          },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ""}: ${formatNumber(Number(item.raw))}` } },
        },
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [days, lang]);

  return (
    <>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={t("dashboard.chart_label")} data-testid="day-chart" />
      </div>
      <details class="chart-table">
        <summary>{t("dashboard.chart_as_table")}</summary>
        <Table
          caption={t("dashboard.chart_title")}
          rows={[...days].reverse()}
          rowKey={(d) => d.day}
          columns={[
            { title: t("dashboard.day"), cell: (d) => d.day },
            { title: t("dashboard.orders"), class: "num", cell: (d) => formatNumber(d.orders) },
            { title: t("dashboard.sent"), class: "num", cell: (d) => formatNumber(d.sent) },
          ]}
        />
      </details>
    </>
  );
}
