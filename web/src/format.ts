// Numbers, money and dates through Intl, in the tenant's currency and the user's locale.
import { createContext, useContext } from "react";

export interface Formats {
  locale: string;
  currency: string;
}

export const FormatContext = createContext<Formats>({ locale: navigator.language, currency: "USD" });

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}

export function useFormat() {
  const { locale, currency } = useContext(FormatContext);
  const num = (v: number | string | null | undefined, digits = 0) =>
    v === null || v === undefined || v === ""
      ? "—"
      : cached(`n${locale}${digits}`, () =>
          new Intl.NumberFormat(locale, { maximumFractionDigits: digits }),
        ).format(Number(v));
  const money = (v: number | string | null | undefined, cur = currency) =>
    v === null || v === undefined || v === ""
      ? "—"
      : cached(`m${locale}${cur}`, () =>
          new Intl.NumberFormat(locale, { style: "currency", currency: cur || "USD" }),
        ).format(Number(v));
  const pct = (v: number | null | undefined) =>
    v === null || v === undefined
      ? "—"
      : cached(`p${locale}`, () =>
          new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }),
        ).format(v);
  const date = (v: string | null | undefined) =>
    v
      ? cached(`d${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: "medium" })).format(
          new Date(v.length === 10 ? `${v}T00:00:00` : v),
        )
      : "—";
  const dateTime = (v: string | null | undefined) =>
    v
      ? cached(`t${locale}`, () =>
          new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }),
        ).format(new Date(v))
      : "—";
  return { num, money, pct, date, dateTime, locale, currency };
}
