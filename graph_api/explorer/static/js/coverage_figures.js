// The coverage figures as the page shows them, in the language's own way: an area's totals, a municipality's
// figures and the four family-centre tasks side by side. Each figure carries `data-figure` and its exact value
// in `data-value`, so what is shown can be checked against the API.

import { formatFixed, formatNumber, language, localName, t } from "./i18n.js";
import { element } from "./ui.js";

export function percent(share) {
  return new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 1 }).format(share);
}

export function count(value) {
  return formatNumber(value, 0);
}

export function kilometres(value) {
  return formatNumber(value, 2);
}

export function distance(value) {
  return value === null ? t("coverage.noPlace") : formatFixed(value, 1);
}

function figureList(items) {
  const pairs = items.map(({ figure, label, value, text }) =>
    element(
      "div",
      {},
      element("dt", {}, label),
      element("dd", { dataset: { figure, value: value === null ? "" : String(value) } }, text),
    ),
  );
  return element("dl", { class: "coverage-figures" }, ...pairs);
}

// What an area and a municipality both have.
function common(figures, withinKm) {
  const km = kilometres(withinKm);
  const within = figures.population - figures.populationBeyond;
  return [
    {
      figure: "population",
      label: t("coverage.populationYear", { year: figures.populationYear }),
      value: figures.population,
      text: count(figures.population),
    },
    {
      figure: "shareWithin",
      label: t("coverage.shareWithin", { km }),
      value: figures.shareWithin,
      text: percent(figures.shareWithin),
    },
    { figure: "populationWithin", label: t("coverage.populationWithin", { km }), value: within, text: count(within) },
    {
      figure: "populationBeyond",
      label: t("coverage.populationBeyond", { km }),
      value: figures.populationBeyond,
      text: count(figures.populationBeyond),
    },
    {
      figure: "weightedDistanceKm",
      label: t("coverage.distance"),
      value: figures.weightedDistanceKm,
      text: distance(figures.weightedDistanceKm),
    },
    { figure: "places", label: t("coverage.places"), value: figures.places, text: count(figures.places) },
    {
      figure: "placesPer10k",
      label: t("coverage.placesPer10k"),
      value: figures.placesPer10k,
      text: formatFixed(figures.placesPer10k, 2),
    },
  ];
}

export function totalsList(totals, withinKm) {
  return figureList([
    ...common(totals, withinKm),
    {
      figure: "municipalityCount",
      label: t("coverage.municipalities"),
      value: totals.municipalityCount,
      text: count(totals.municipalityCount),
    },
    {
      figure: "municipalitiesUnderAgreement",
      label: t("coverage.underAgreement"),
      value: totals.municipalitiesUnderAgreement,
      text: t("coverage.underAgreementCount", {
        count: count(totals.municipalitiesUnderAgreement),
        population: count(totals.populationUnderAgreement),
      }),
    },
  ]);
}

export function municipalityList(row, { rank, ranked, withinKm, populationYear }) {
  return figureList([
    {
      figure: "rank",
      label: t("coverage.rankLabel"),
      value: rank,
      text: t("coverage.rankOf", { rank: count(rank), count: count(ranked) }),
    },
    ...common({ ...row, populationYear }, withinKm),
    {
      figure: "underAgreement",
      label: t("coverage.underAgreement"),
      value: row.underAgreement,
      text: t(row.underAgreement ? "coverage.yes" : "coverage.no"),
    },
  ]);
}

// The four tasks side by side, one row each, whose radio buttons choose the task that colours the map. The rows
// and their buttons are built once (so the keyboard keeps its place while the figures are fetched); `update`
// fills in the figures and marks the weakest.
export function createTaskTable(tasks, onChoose) {
  const headers = ["coverage.task", "coverage.withinShort", "coverage.peopleWithin", "coverage.placesShort"];
  const headerCells = [...headers, "coverage.distanceShort"].map((key, index) =>
    element("th", { scope: "col", class: index ? "number" : null, dataset: { key } }),
  );
  const rows = tasks.map((task) => {
    const radio = element("input", { type: "radio", name: "coverage-task", value: task.id });
    radio.addEventListener("change", () => radio.checked && onChoose(task.id));
    const name = element("span");
    const mark = element("strong", { class: "coverage-weakest", hidden: true });
    const head = element("th", { scope: "row" }, element("label", {}, radio, name), " ", mark);
    return { task, radio, name, mark, row: element("tr", { dataset: { taskId: task.id } }, head) };
  });
  const table = element(
    "table",
    { class: "coverage-tasks" },
    element("thead", {}, element("tr", {}, ...headerCells)),
    element("tbody", {}, ...rows.map(({ row }) => row)),
  );
  let withinKm = 10;

  function relabel(km = withinKm) {
    withinKm = km;
    for (const cell of headerCells) cell.textContent = t(cell.dataset.key, { km: kilometres(withinKm) });
    for (const { task, name, mark } of rows) {
      name.textContent = t("coverage.taskName", { number: task.number, name: localName(task) });
      mark.textContent = t("coverage.weakest");
    }
  }

  return {
    element: table,
    relabel,
    choose(id) {
      for (const { task, radio } of rows) radio.checked = task.id === id;
    },
    // Fills in the figures of `byTask` (taskCoverage's), or leaves the radio buttons alone when null.
    update(byTask, km) {
      relabel(km);
      for (const cell of headerCells.slice(1)) cell.hidden = !byTask;
      const figures = new Map((byTask?.rows ?? []).map((figure) => [figure.id, figure]));
      for (const { task, row, mark } of rows) {
        const figure = figures.get(task.id);
        const weakest = Boolean(byTask) && task.id === byTask.weakestId;
        row.classList.toggle("weakest", weakest);
        mark.hidden = !weakest;
        const cells = figure
          ? [
              ["shareWithin", figure.shareWithin, percent(figure.shareWithin)],
              ["populationWithin", figure.populationWithin, count(figure.populationWithin)],
              ["places", figure.places, count(figure.places)],
              ["weightedDistanceKm", figure.weightedDistanceKm, distance(figure.weightedDistanceKm)],
            ]
          : [];
        row.replaceChildren(
          row.firstChild,
          ...cells.map(([name, value, text]) =>
            element("td", { class: "number", dataset: { figure: name, value: value ?? "" } }, text),
          ),
        );
      }
    },
  };
}
