// The ranked gaps as a table whose rows carry `data-municipality-code` (a municipality's name is a button, so the
// keyboard chooses it as a click on the map does; its figures open in a row below it), and exactly those rows as a
// CSV file to download: the table's columns and the municipality's code, with the figures as the API gives them (a
// dot for decimals, shares from 0 to 1, no distance where there is no place) so that a spreadsheet reads them as
// numbers.

import { count, distance, kilometres, percent } from "./coverage_figures.js";
import { localName, t } from "./i18n.js";
import { element } from "./ui.js";

// After the rank and the name: the figures that explain the rank, then the population they are shares of.
const FIGURES = [
  { key: "populationBeyond", header: "coverage.beyondShort", text: count },
  { key: "shareWithin", header: "coverage.withinShort", text: percent },
  { key: "weightedDistanceKm", header: "coverage.distanceShort", text: distance },
  { key: "places", header: "coverage.placesShort", text: count },
  { key: "population", header: "coverage.population", text: count },
];

export function createGapTable(onChoose) {
  const head = element("thead");
  const body = element("tbody");
  const table = element("table", { class: "coverage-gaps" }, head, body);
  let shown = [];
  body.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-municipality-code]");
    if (row) onChoose(row.dataset.municipalityCode);
  });

  return {
    element: element("div", { class: "coverage-scroll" }, table),
    // `rows` are `coverageGaps.municipalities`, in their order.
    render(rows, withinKm) {
      const km = kilometres(withinKm);
      const headers = [
        element("th", { scope: "col", class: "number" }, t("coverage.rank")),
        element("th", { scope: "col" }, t("coverage.municipality")),
        ...FIGURES.map(({ header }) => element("th", { scope: "col", class: "number" }, t(header, { km }))),
      ];
      head.replaceChildren(element("tr", {}, ...headers));
      body.replaceChildren(...rows.map((row, index) => tableRow(row, index + 1)));
      shown = rows;
    },
    // Marks the row of `code` (none when null) and shows `detail` in a row of its own below it; returns that row.
    choose(code, detail) {
      body.querySelector("tr.coverage-detail")?.remove();
      for (const row of body.querySelectorAll("tr[aria-current]")) {
        row.removeAttribute("aria-current");
        row.querySelector("button").setAttribute("aria-expanded", "false");
      }
      const row = code && body.querySelector(`tr[data-municipality-code="${CSS.escape(code)}"]`);
      if (!row) return null;
      row.setAttribute("aria-current", "true");
      row.querySelector("button").setAttribute("aria-expanded", "true");
      const cell = element("td", { colspan: String(FIGURES.length + 2) }, detail);
      const detailRow = element("tr", { class: "coverage-detail" }, cell);
      row.after(detailRow);
      return detailRow;
    },
    csv() {
      const header = ["rank", "code", "name", ...FIGURES.map(({ key }) => key)];
      const lines = shown.map((row, index) => [
        index + 1,
        row.municipality.code,
        localName(row.municipality),
        ...FIGURES.map(({ key }) => row[key]),
      ]);
      return [header, ...lines].map((cells) => cells.map(csvCell).join(",")).join("\n") + "\n";
    },
  };
}

function tableRow(row, rank) {
  const name = element(
    "button",
    { type: "button", class: "coverage-link", "aria-expanded": "false" },
    localName(row.municipality),
  );
  const figures = FIGURES.map(({ key, text }) =>
    element("td", { class: "number", dataset: { figure: key, value: row[key] ?? "" } }, text(row[key])),
  );
  return element(
    "tr",
    { dataset: { municipalityCode: row.municipality.code } },
    element("td", { class: "number", dataset: { figure: "rank", value: rank } }, count(rank)),
    element("th", { scope: "row" }, name),
    ...figures,
  );
}

function csvCell(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// Offers `text` as a file named `name`; the byte-order mark lets spreadsheet programs read it as UTF-8.
export function download(name, text) {
  const url = URL.createObjectURL(new Blob(["\ufeff", text], { type: "text/csv;charset=utf-8" }));
  const link = element("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
