// The coverage mode: for the whole country or an area (a county, region or MLL district), how many people live within
// `withinKm` of a meeting place that counts (by kind and activity, or by THL family-centre task), municipality by
// municipality: the map coloured by the share within, the area's totals, the municipalities ranked by their gaps as a
// table and a CSV file, a municipality's figures when it is chosen, and in the task view the four tasks side by
// side. The URL holds it all: `area`, `km`, `kinds`, `activities`, `by=task`, `tasks` and `municipality`.

import "./coverage_messages.js";
import { loadChoices, loadCoverage } from "./coverage_data.js";
import { count, createTaskTable, municipalityList, totalsList } from "./coverage_figures.js";
import { createForm, taskKey } from "./coverage_form.js";
import { createCoverageMap, legendCaption } from "./coverage_map.js";
import { createGapTable, download } from "./coverage_table.js";
import { localName, onLanguageChange, t, translate } from "./i18n.js";
import { municipalityShapes } from "./map.js";
import * as state from "./state.js";
import { busy, demoBadge, element } from "./ui.js";

export function create({ map, panel }) {
  let choices = null;
  let shapes = null;
  let answer = null;
  let active = false;
  let asked = 0;
  // A shared link's map view is kept; without one the map fits the area once it is drawn.
  let fitNext = !state.get("view");

  const form = createForm((areaChanged) => {
    fitNext ||= areaChanged;
    refresh();
  });
  const coverageMap = createCoverageMap(map, (code) => choose(code, { zoom: false }));
  const gapTable = createGapTable((code) =>
    choose(code === state.get("municipality") ? null : code, { zoom: true, scroll: false }),
  );
  let taskTable = null;

  const totalsTitle = element("h3");
  const totals = element("section", { class: "coverage-totals" }, totalsTitle);
  const tasksNeedArea = element("p", { class: "muted", "data-i18n": "coverage.tasksNeedArea" });
  const tasks = element(
    "section",
    { class: "coverage-by-task", hidden: true },
    element("h3", { "data-i18n": "coverage.tasks" }),
    element("p", { class: "muted", "data-i18n": "coverage.tasksNote" }),
    tasksNeedArea,
  );
  const gapCount = element("p", { "aria-live": "polite" });
  const csvButton = element("button", { type: "button", "data-i18n": "coverage.csv" });
  csvButton.addEventListener("click", () => answer && download(fileName(answer.terms), gapTable.csv()));
  const results = element(
    "div",
    { class: "coverage-results", hidden: true, "aria-busy": "false" },
    totals,
    tasks,
    element(
      "section",
      { class: "coverage-ranked" },
      element("h3", { "data-i18n": "coverage.gaps" }),
      gapCount,
      csvButton,
      gapTable.element,
    ),
  );
  panel.append(
    element("h2", { "data-i18n": "coverage.title" }),
    element("p", { class: "muted", "data-i18n": "coverage.intro" }),
    form.element,
    results,
  );
  translate(panel);

  onLanguageChange(() => {
    if (!choices) return;
    form.relabel();
    taskTable.relabel();
    if (answer) render();
  });

  async function start() {
    if (!choices) {
      const loaded = await busy(() => Promise.all([loadChoices(), municipalityShapes()]));
      if (!loaded) return;
      if (!choices) setUp(...loaded);
    }
    form.restore();
    if (active) refresh();
  }

  function setUp(loadedChoices, loadedShapes) {
    choices = loadedChoices;
    shapes = loadedShapes;
    form.fill(choices);
    taskTable = createTaskTable(choices.tasks, (id) => {
      state.set({ tasks: [taskKey(id)] });
      refresh();
    });
    taskTable.relabel();
    tasks.append(element("div", { class: "coverage-scroll" }, taskTable.element));
  }

  async function refresh() {
    if (!choices) return;
    const terms = form.terms();
    if (!terms) return;
    const key = JSON.stringify(terms);
    if (answer?.key === key) return;
    const number = ++asked;
    results.setAttribute("aria-busy", "true");
    const loaded = await busy(() => loadCoverage(terms));
    if (number !== asked) return;
    if (loaded) {
      answer = { key, terms, ...loaded };
      render();
    }
    results.setAttribute("aria-busy", "false");
  }

  function render() {
    const { terms, gaps } = answer;
    results.hidden = false;
    totalsTitle.replaceChildren(areaName(terms.areaId), ...(answer.totals.isDemo ? [" ", demoBadge()] : []));
    totals.replaceChildren(totalsTitle, totalsList(answer.totals, terms.withinKm));
    tasks.hidden = !terms.taskView;
    tasksNeedArea.hidden = Boolean(answer.tasks);
    if (terms.taskView) {
      taskTable.update(answer.tasks, terms.withinKm);
      taskTable.choose(terms.taskIds[0]);
    }
    const shown = gaps.municipalities.length;
    gapCount.textContent =
      gaps.totalCount > shown
        ? t("coverage.gapsPart", { shown: count(shown), count: count(gaps.totalCount) })
        : t("coverage.gapsCount", { count: count(shown) });
    gapTable.render(gaps.municipalities, terms.withinKm);
    coverageMap.draw(shapes, gaps.municipalities, caption(terms));
    if (fitNext && active) {
      coverageMap.fit();
      fitNext = false;
    }
    choose(state.get("municipality"), { zoom: false, scroll: false });
  }

  // Shows the figures of the municipality `code` (none when null) on the map and below its row in the table.
  function choose(code, { zoom, scroll = true }) {
    const rows = answer?.gaps.municipalities ?? [];
    const index = rows.findIndex((row) => row.municipality.code === code);
    const chosen = index < 0 ? null : code;
    state.set({ municipality: chosen });
    coverageMap.choose(chosen);
    const detail =
      chosen &&
      element(
        "section",
        { class: "coverage-chosen", "aria-label": localName(rows[index].municipality) },
        municipalityList(rows[index], {
          rank: index + 1,
          ranked: rows.length,
          withinKm: answer.terms.withinKm,
          populationYear: answer.gaps.populationYear,
        }),
      );
    const detailRow = gapTable.choose(chosen, detail);
    if (!detailRow) return;
    if (zoom) coverageMap.zoomTo(chosen);
    if (scroll) detailRow.scrollIntoView({ block: "nearest" });
  }

  function areaName(areaId) {
    const areas = Object.values(choices.areas).flat();
    const area = areaId && areas.find((candidate) => candidate.id === areaId);
    return area ? localName(area) : t("coverage.country");
  }

  function caption(terms) {
    const task = terms.taskView && choices.tasks.find((candidate) => candidate.id === terms.taskIds[0]);
    return legendCaption(terms.withinKm, task?.number);
  }

  return {
    show() {
      active = true;
      coverageMap.show();
      start();
    },
    hide() {
      active = false;
      coverageMap.hide();
    },
  };
}

// `coverage-gaps-<area>-<km>km.csv`, the task's number added in the task view.
function fileName(terms) {
  const area = terms.areaId ? terms.areaId.toLowerCase().replace(/[^a-z0-9]+/g, "-") : "finland";
  const task = terms.taskView ? `-task${taskKey(terms.taskIds[0])}` : "";
  return `coverage-gaps-${area}-${terms.withinKm}km${task}.csv`;
}
