// The coverage mode's questions to the API: the choices once (areas, activities, tasks), then for the terms chosen
// one request answering the area's totals, its municipalities ranked by gaps and, in the task view, each task's
// figures. `coverage` and `taskCoverage` need an area: for the whole country the totals are added up from
// `coverageGaps` over all municipalities, as the API adds up an area's (sums, and shares over the whole population).

import { graphql } from "./api.js";

// Every municipality of any area (309 in the whole country) fits in one answer: the table lists them all.
export const GAPS_LIMIT = 500;

const FIGURES = "population shareWithin populationBeyond weightedDistanceKm places placesPer10k underAgreement";
const GAPS = `totalCount populationYear isDemo municipalities { municipality { code nameFi nameSv } ${FIGURES} }`;
const TOTALS = `population populationYear shareWithin populationBeyond weightedDistanceKm places placesPer10k
  municipalityCount municipalitiesUnderAgreement populationUnderAgreement isDemo`;
const TASK_FIGURES = "task { id } shareWithin populationWithin places weightedDistanceKm";
const DECLARED = "$withinKm: Float!, $kinds: [MeetingPlaceKind!], $activityIds: [ID!], $taskIds: [ID!]";
const ARGUMENTS = "withinKm: $withinKm, kinds: $kinds, activityIds: $activityIds, taskIds: $taskIds";

// The areas to choose from, the activities that places offer (local ones with a place) and THL's four tasks.
export async function loadChoices() {
  const data = await graphql(`query CoverageChoices {
    welfareAreas { id nameFi nameSv } regions { id nameFi nameSv } districts { id nameFi nameSv }
    activities { id nameFi nameSv nameEn channel meetingPlaces { id } }
    familyCentreTasks { id number nameFi nameSv nameEn }
  }`);
  const offered = data.activities.filter((activity) => activity.channel === "LOCAL" && activity.meetingPlaces.length);
  return {
    areas: { welfareAreas: data.welfareAreas, regions: data.regions, districts: data.districts },
    activities: offered.map(({ id, nameFi, nameSv, nameEn }) => ({ id, nameFi, nameSv, nameEn })),
    tasks: [...data.familyCentreTasks].sort((a, b) => a.number - b.number),
  };
}

// `{ totals, gaps, tasks }` for `terms` ({ areaId, withinKm, kinds, activityIds, taskIds, taskView }); `tasks` (in
// the task view) is `{ weakestId, rows: [{ id, shareWithin, populationWithin, places, weightedDistanceKm }] }`.
export async function loadCoverage(terms, taskIds) {
  const variables = {
    withinKm: terms.withinKm,
    kinds: terms.kinds,
    activityIds: terms.activityIds,
    taskIds: terms.taskIds,
  };
  if (terms.areaId) return areaCoverage(terms, variables);
  return terms.taskView ? countryByTask(terms, taskIds) : countryCoverage(variables);
}

async function areaCoverage(terms, variables) {
  const tasks = terms.taskView
    ? `tasks: taskCoverage(areaId: $areaId, withinKm: $withinKm) { weakest { task { id } } tasks { ${TASK_FIGURES} } }`
    : "";
  const data = await graphql(
    `query AreaCoverage($areaId: ID!, ${DECLARED}) {
      totals: coverage(areaId: $areaId, ${ARGUMENTS}) { ${TOTALS} }
      gaps: coverageGaps(areaId: $areaId, ${ARGUMENTS}, limit: ${GAPS_LIMIT}) { ${GAPS} }
      ${tasks}
    }`,
    { ...variables, areaId: terms.areaId },
  );
  const byTask = data.tasks && {
    weakestId: data.tasks.weakest?.task.id ?? null,
    rows: data.tasks.tasks.map(({ task, ...figures }) => ({ id: task.id, ...figures })),
  };
  return { totals: data.totals, gaps: data.gaps, tasks: byTask ?? null };
}

async function countryCoverage(variables) {
  const data = await graphql(
    `query CountryCoverage(${DECLARED}) { gaps: coverageGaps(${ARGUMENTS}, limit: ${GAPS_LIMIT}) { ${GAPS} } }`,
    variables,
  );
  return { totals: addedUp(data.gaps), gaps: data.gaps, tasks: null };
}

// Each task's ranking over the whole country in one request; the one chosen colours the map.
async function countryByTask(terms, taskIds) {
  const declared = taskIds.map((_, index) => `$task${index}: [ID!]`).join(", ");
  const fields = taskIds.map(
    (_, index) => `task${index}: coverageGaps(withinKm: $withinKm, taskIds: $task${index}, limit: ${GAPS_LIMIT}) {
      ${GAPS}
    }`,
  );
  const variables = { withinKm: terms.withinKm };
  taskIds.forEach((id, index) => (variables[`task${index}`] = [id]));
  const data = await graphql(`query CountryByTask($withinKm: Float!, ${declared}) { ${fields.join("\n")} }`, variables);
  const answers = taskIds.map((id, index) => ({ id, gaps: data[`task${index}`] }));
  const rows = answers.map(({ id, gaps }) => {
    const totals = addedUp(gaps);
    return {
      id,
      shareWithin: totals.shareWithin,
      populationWithin: totals.population - totals.populationBeyond,
      places: totals.places,
      weightedDistanceKm: totals.weightedDistanceKm,
    };
  });
  const chosen = answers.find(({ id }) => id === terms.taskIds[0]) ?? answers[0];
  return { totals: addedUp(chosen.gaps), gaps: chosen.gaps, tasks: { weakestId: weakest(rows), rows } };
}

// The totals of all the municipalities ranked, as `coverage` gives an area's.
export function addedUp(gaps) {
  const rows = gaps.municipalities;
  const sum = (figure) => rows.reduce((total, row) => total + figure(row), 0);
  const population = sum((row) => row.population);
  const populationBeyond = sum((row) => row.populationBeyond);
  const places = sum((row) => row.places);
  const agreed = rows.filter((row) => row.underAgreement);
  const measured = population > 0 && rows.every((row) => row.weightedDistanceKm !== null);
  return {
    population,
    populationYear: gaps.populationYear,
    shareWithin: population > 0 ? (population - populationBeyond) / population : 0,
    populationBeyond,
    weightedDistanceKm: measured ? sum((row) => row.population * row.weightedDistanceKm) / population : null,
    places,
    placesPer10k: population > 0 ? (places * 10000) / population : 0,
    municipalityCount: rows.length,
    municipalitiesUnderAgreement: agreed.length,
    populationUnderAgreement: agreed.reduce((total, row) => total + row.population, 0),
    isDemo: gaps.isDemo,
  };
}

// The task with the smallest share, the first in key order among equals, as `taskCoverage.weakest`.
function weakest(rows) {
  const sorted = [...rows].sort((a, b) => a.shareWithin - b.shareWithin || (a.id < b.id ? -1 : 1));
  return sorted[0]?.id ?? null;
}
