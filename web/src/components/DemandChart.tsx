// Weekly sales history with stock-out and outlier weeks marked, and the forecast's mean with
// its interval as a band after the last day (uPlot; canvas with a text summary beside it).
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Day {
  date: string;
  demand: number;
  stockout: boolean;
  outlier: boolean;
}

export interface ForecastBand {
  /** Forecast mean per future day (day 0 = the first day after the history). */
  meanDaily: number[];
  horizons: { horizon_days: number; low: number; high: number }[];
}

export function DemandChart({ history, forecast }: { history: Day[]; forecast: ForecastBand | null }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const weeks: { t: number; units: number; stockout: boolean; outlier: boolean }[] = [];
    history.forEach((d, i) => {
      if (i % 7 === 0) weeks.push({ t: Date.parse(`${d.date}T00:00:00Z`) / 1000, units: 0, stockout: false, outlier: false });
      const w = weeks[weeks.length - 1];
      w.units += d.demand;
      w.stockout ||= d.stockout;
      w.outlier ||= d.outlier;
    });
    const xs = weeks.map((w) => w.t);
    const sales: (number | null)[] = weeks.map((w) => w.units);
    const marks: (number | null)[] = weeks.map((w) => (w.stockout || w.outlier ? w.units : null));
    const mean: (number | null)[] = weeks.map(() => null);
    const low: (number | null)[] = weeks.map(() => null);
    const high: (number | null)[] = weeks.map(() => null);
    if (forecast && xs.length) {
      let prevH = 0;
      let prevLow = 0;
      let prevHigh = 0;
      let t = xs[xs.length - 1];
      for (const h of forecast.horizons) {
        const span = (h.horizon_days - prevH) / 7;
        t += (h.horizon_days - prevH) * 86400;
        xs.push(t);
        sales.push(null);
        marks.push(null);
        const days = forecast.meanDaily.slice(prevH, h.horizon_days);
        mean.push(days.length ? (days.reduce((a, b) => a + b, 0) / days.length) * 7 : null);
        low.push(Math.max(0, (h.low - prevLow) / span));
        high.push((h.high - prevHigh) / span);
        prevH = h.horizon_days;
        prevLow = h.low;
        prevHigh = h.high;
      }
    }
    const width = Math.max(320, host.current.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 260,
        series: [
          {},
          { label: "Units sold per week", stroke: "#1f5fa8", width: 2 },
          { label: "Stock-out or outlier week", stroke: "transparent", points: { show: true, size: 8, stroke: "#b3261e", fill: "#b3261e" } },
          { label: "Forecast per week", stroke: "#2e7d32", width: 2, dash: [6, 4] },
          { label: "Interval low", stroke: "#9ccc9c" },
          { label: "Interval high", stroke: "#9ccc9c" },
        ],
        bands: [{ series: [5, 4], fill: "rgba(46,125,50,0.15)" }],
        axes: [{}, { label: "units / week" }],
      },
      [xs, sales, marks, mean, low, high],
      host.current,
    );
    return () => plot.destroy();
  }, [history, forecast]);
  return <div ref={host} className="chart" role="img" aria-label="Weekly sales history with the forecast and its interval" />;
}
