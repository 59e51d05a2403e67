// How the find mode writes a place's data in the language shown: names, weekdays, times, dates and moments
// (opening hours are Helsinki wall time), distances, and "open now".

import { formatFixed, language, t } from "./i18n.js";

export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const HELSINKI = "Europe/Helsinki";

// The browser's current time as ISO 8601 with its offset, e.g. `2026-03-30T09:30:00+03:00`: what `openAt` is given.
export function nowWithOffset(now = new Date()) {
  const pad = (value) => String(Math.trunc(Math.abs(value))).padStart(2, "0");
  const offset = -now.getTimezoneOffset();
  const date = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  return `${date}T${time}${offset < 0 ? "-" : "+"}${pad(offset / 60)}:${pad(offset % 60)}`;
}

export function kindName(kind) {
  return t(`kind_${kind}`);
}

// A distance to one decimal, always shown (`1,0 km`), so that the list's figures line up.
export function distance(km) {
  return t("find.distance", { value: formatFixed(km, 1) });
}

// Dates and times in English the European way (24-hour clock, day before month), as Finland writes them.
function locale() {
  return language() === "en" ? "en-GB" : language();
}

// A weekday code (`MO`) as the language names it; 2024-01-01 was a Monday.
export function weekdayName(code, style = "long") {
  const day = new Date(Date.UTC(2024, 0, 1 + WEEKDAYS.indexOf(code)));
  return new Intl.DateTimeFormat(locale(), { weekday: style, timeZone: "UTC" }).format(day);
}

// A wall time `10:00:00` as the language writes it (`10.00` in Finnish).
export function wallTime(text) {
  const [hours, minutes] = text.split(":").map(Number);
  const moment = new Date(Date.UTC(2024, 0, 1, hours, minutes));
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", timeZone: "UTC" }).format(moment);
}

// A date `2026-12-24` as the language writes it.
export function calendarDate(text) {
  const [year, month, day] = text.split("-").map(Number);
  const moment = new Date(Date.UTC(year, month - 1, day));
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" }).format(moment);
}

// A moment (ISO 8601 with offset) as Helsinki's weekday, date and time, e.g. `ma 30.11. klo 17.00`.
export function moment(text) {
  const options = { weekday: "short", day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(locale(), { ...options, timeZone: HELSINKI }).format(new Date(text));
}

export function momentTime(text) {
  const options = { hour: "2-digit", minute: "2-digit", timeZone: HELSINKI };
  return new Intl.DateTimeFormat(locale(), options).format(new Date(text));
}

// "Open now, until 15.00" or "Closed, opens Mon 30.11. 17.00" from `isOpen` and `nextOpening`.
export function openness(place) {
  const next = place.nextOpening;
  if (place.isOpen) return next ? t("find.openUntil", { time: momentTime(next.closes) }) : t("find.open");
  return next ? `${t("find.closed")}, ${t("find.opensAt", { when: moment(next.opens) })}` : t("find.closed");
}
