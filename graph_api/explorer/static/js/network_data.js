// What the network mode asks the API: the areas and organisations to choose from, a network to draw with its
// members' figures, and where a member is for the map.

import { graphql } from "./api.js";

// The relationships of cooperation the API's `network` joins its members by; an organisation's drawing follows
// the same ones, two steps out: its meeting places and whoever runs them with it, its family centre's partners.
const COOPERATION = ["RUN_BY", "PART_OF", "SERVES", "HAS_AGREEMENT", "MEMBER_OF"];
const RELATIONS_DEPTH = 2;
const AREAS = new Set(["WelfareArea", "District"]);
// The most members `byDegree` and `byBetweenness` list; a larger network's others are computed here.
const TOP = 100;
// The API lists no organisations: MLL's central organisation, of the reference data, is asked for by its id.
const CENTRAL_ORGANISATION = "Organization:mll";

const MEMBER = `fragment member on GraphNode {
  id type label isDemo
  node { ... on Named { nameFi nameSv } ... on MeetingPlace { name nameSv location { lat lon } } }
}`;

const CHOICES = `query NetworkChoices($central: ID!) {
  welfareAreas { id nameFi nameSv familyCentres { id nameFi nameSv } }
  districts { id nameFi nameSv }
  central: node(id: $central) { id ... on Named { nameFi nameSv } }
}`;

const NETWORK = `query Network($id: ID!, $top: Int!) {
  network(areaId: $id) {
    nodes { ...member }
    edges { source target type }
    unconnected { id }
    byDegree(top: $top) { node { id } degree }
    byBetweenness(top: $top) { node { id } betweenness }
  }
}
${MEMBER}`;

const RELATIONS = `query Relations($id: ID!, $depth: Int!, $types: [RelationshipType!]) {
  relations(id: $id, depth: $depth, types: $types) { nodes { ...member } edges { source target type } }
}
${MEMBER}`;

const WHEREABOUTS = `query Whereabouts($id: ID!) {
  node(id: $id) {
    ... on FamilyCentre { location { lat lon } serves { ... on WelfareArea { id } ... on Municipality { id } } }
    ... on District { municipalities { id } }
    ... on LocalAssociation { municipalities { id } }
    ... on Region { municipalities { id } }
  }
}`;

function typeOf(id) {
  return id.slice(0, id.indexOf(":"));
}

// The choices, in groups: counties (Helsinki among them), MLL districts, family centres and organisations.
export async function loadChoices() {
  const data = await graphql(CHOICES, { central: CENTRAL_ORGANISATION });
  return [
    { key: "network.counties", options: data.welfareAreas },
    { key: "network.districts", options: data.districts },
    { key: "network.familyCentres", options: data.welfareAreas.flatMap((area) => area.familyCentres) },
    { key: "network.organisations", options: data.central ? [data.central] : [] },
  ];
}

// An area's `network`, or an organisation's `relations`: { root, nodes, byId, edges, unconnected (ids; null for
// relations, which do not say), degree and betweenness (Maps by id) }.
export async function loadGraph(id) {
  if (AREAS.has(typeOf(id))) {
    const { network } = await graphql(NETWORK, { id, top: TOP });
    const unconnected = network.unconnected.map((node) => node.id);
    return graphOf(id, network, unconnected, network.byDegree, network.byBetweenness);
  }
  const { relations } = await graphql(RELATIONS, { id, depth: RELATIONS_DEPTH, types: COOPERATION });
  return graphOf(id, relations, null);
}

function graphOf(root, { nodes, edges }, unconnected, byDegree = [], byBetweenness = []) {
  const members = nodes.map(member);
  const byId = new Map(members.map((node) => [node.id, node]));
  return { root, nodes: members, byId, edges, unconnected, ...figures(members, edges, byDegree, byBetweenness) };
}

function member(node) {
  const names = node.node ?? {};
  return {
    id: node.id,
    type: node.type,
    isDemo: node.isDemo,
    names: { nameFi: names.nameFi ?? names.name ?? node.label, nameSv: names.nameSv },
    location: names.location ?? null,
  };
}

// Each member's degree (distinct neighbours) and normalised betweenness: the API's where it gives them, else
// computed here the same way (a network larger than TOP, or an organisation's relations, which have none).
function figures(members, edges, byDegree = [], byBetweenness = []) {
  const neighbours = new Map(members.map((node) => [node.id, new Set()]));
  for (const edge of edges) {
    if (edge.source === edge.target) continue;
    neighbours.get(edge.source).add(edge.target);
    neighbours.get(edge.target).add(edge.source);
  }
  const degree = new Map([...neighbours].map(([id, near]) => [id, near.size]));
  for (const ranked of byDegree) degree.set(ranked.node.id, ranked.degree);
  const given = new Map(byBetweenness.map((ranked) => [ranked.node.id, ranked.betweenness]));
  const betweenness = given.size === members.length ? given : new Map([...betweennessOf(neighbours), ...given]);
  return { degree, betweenness };
}

// Brandes' algorithm on the undirected graph, normalised and rounded as the API's (networkx's) figures are.
function betweennessOf(neighbours) {
  const score = new Map([...neighbours.keys()].map((id) => [id, 0]));
  for (const source of neighbours.keys()) {
    const order = [source];
    const distance = new Map([[source, 0]]);
    const paths = new Map([[source, 1]]);
    const before = new Map();
    for (let index = 0; index < order.length; index += 1) {
      const node = order[index];
      for (const next of neighbours.get(node)) {
        if (!distance.has(next)) {
          distance.set(next, distance.get(node) + 1);
          order.push(next);
        }
        if (distance.get(next) === distance.get(node) + 1) {
          paths.set(next, (paths.get(next) ?? 0) + paths.get(node));
          if (!before.has(next)) before.set(next, []);
          before.get(next).push(node);
        }
      }
    }
    const dependency = new Map();
    for (const node of order.reverse()) {
      for (const previous of before.get(node) ?? []) {
        const share = (paths.get(previous) / paths.get(node)) * (1 + (dependency.get(node) ?? 0));
        dependency.set(previous, (dependency.get(previous) ?? 0) + share);
      }
      if (node !== source) score.set(node, score.get(node) + (dependency.get(node) ?? 0));
    }
  }
  const count = neighbours.size;
  const scale = count > 2 ? 1 / ((count - 1) * (count - 2)) : 0;
  return new Map([...score].map(([id, value]) => [id, Math.round(value * scale * 1e9) / 1e9]));
}

// Where a member is, for the map: { point: [lat, lon] or null, municipalities: ids, welfareAreas: ids }.
export async function whereabouts(node) {
  const nowhere = { point: null, municipalities: [], welfareAreas: [] };
  if (node.location) return { ...nowhere, point: [node.location.lat, node.location.lon] };
  if (node.type === "Municipality") return { ...nowhere, municipalities: [node.id] };
  if (node.type === "WelfareArea") return { ...nowhere, welfareAreas: [node.id] };
  if (node.type === "Organization" || node.type === "MeetingPlace") return nowhere;
  const found = (await graphql(WHEREABOUTS, { id: node.id })).node ?? {};
  const served = found.serves ?? [];
  return {
    point: found.location ? [found.location.lat, found.location.lon] : null,
    municipalities: [...(found.municipalities ?? []), ...served.filter((area) => typeOf(area.id) === "Municipality")]
      .map((municipality) => municipality.id),
    welfareAreas: served.filter((area) => typeOf(area.id) === "WelfareArea").map((area) => area.id),
  };
}
