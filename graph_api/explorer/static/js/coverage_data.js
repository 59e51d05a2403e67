// The coverage mode's questions to the API: the choices once (areas, local activities, tasks), then for the terms
// chosen one request: `coverageGaps` over the area's municipalities (all 309 for the whole country), whose figures
// the area's totals are added up from as `coverage` adds them up (so the whole country, which `coverage` cannot be
// asked about, has them too), and in the task view of an area `taskCoverage`. `taskCoverage` needs an area, and the
// whole country's four tasks would be four national measures in one request, past the API's time budget on Neo4j:
// for the whole country the task view colours the map by the task chosen and leaves the side-by-side to areas.

import { localActivities } from "./activities.js";
import { graphql } from "./api.js";

// Every municipality of any area (309 in the whole country) fits in one answer: the table lists them all.
const GAPS_LIMIT = 500;

const FIGURES = "population shareWithin populationBeyond weightedDistanceKm places placesPer10k underAgreement";
const GAPS = `totalCount populationYear isDemo municipalities { municipality { code nameFi nameSv } ${FIGURES} }`;
const TASKS = `tasks: taskCoverage(areaId: $areaId, withinKm: $withinKm) {
  weakest { task { id } } tasks { task { id } shareWithin populationWithin places weightedDistanceKm }
}`;

// The areas to choose from, the activities places can offer and THL's four tasks.
export async function loadChoices() {
  const choices = graphql(`query CoverageChoices {
    welfareAreas { id nameFi nameSv } regions { id nameFi nameSv } districts { id nameFi nameSv }
    familyCentreTasks { id number nameFi nameSv nameEn }
  }`);
  const [data, activities] = await Promise.all([choices, localActivities()]);
  return {
    areas: { welfareAreas: data.welfareAreas, regions: data.regions, districts: data.districts },
    activities,
    tasks: [...data.familyCentreTasks].sort((a, b) => a.number - b.number),
  };
}

// `{ totals, gaps, tasks }` for `terms` ({ areaId, withinKm, kinds, activityIds, taskIds, taskView }); `tasks`, in
// the task view of an area, is `{ weakestId, rows }`, a row `{ id, shareWithin, populationWithin, places,
// weightedDistanceKm }` a task.
export async function loadCoverage(terms) {
  const byTask = terms.taskView && terms.areaId;
  const data = await graphql(
    `query Coverage($areaId: ${terms.areaId ? "ID!" : "ID"}, $withinKm: Float!, $kinds: [MeetingPlaceKind!],
      $activityIds: [ID!], $taskIds: [ID!]) {
      gaps: coverageGaps(areaId: $areaId, withinKm: $withinKm, kinds: $kinds, activityIds: $activityIds,
        taskIds: $taskIds, limit: ${GAPS_LIMIT}) { ${GAPS} }
      ${byTask ? TASKS : ""}
    }`,
    {
      areaId: terms.areaId,
      withinKm: terms.withinKm,
      kinds: terms.kinds,
      activityIds: terms.activityIds,
      taskIds: terms.taskIds,
    },
  );
  const tasks = data.tasks && {
    weakestId: data.tasks.weakest?.task.id ?? null,
    rows: data.tasks.tasks.map(({ task, ...figures }) => ({ id: task.id, ...figures })),
  };
  return { totals: addedUp(data.gaps), gaps: data.gaps, tasks: tasks ?? null };
}

// The totals of the municipalities ranked (all of the area's), as `coverage` adds up an area's.
function addedUp(gaps) {
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
