// The network mode's lists, built from a drawn network: the legend, the members (the drawing's accessible
// alternative, in the order of the size measure), the unconnected places, and the selected member's details.

import { formatNumber, localName, t } from "./i18n.js";
import { demoBadge, element } from "./ui.js";

const OPEN_UP_TO = 6; // a group of relationships longer than this starts folded

export function nameOf(node) {
  return localName(node.names);
}

function typeName(type) {
  return t(`network.type_${type}`);
}

function swatch(type) {
  return element("i", { class: `network-swatch network-type-${type}`, "aria-hidden": "true" });
}

function figureOf(graph, measure, id) {
  const value = graph[measure].get(id);
  return measure === "degree" ? formatNumber(value, 0) : formatNumber(value, 3);
}

// Each type drawn, with how many members are of it, and the agreements' dashed line if any is drawn.
export function renderLegend(list, graph) {
  const counts = new Map();
  for (const node of graph.nodes) counts.set(node.type, (counts.get(node.type) ?? 0) + 1);
  const types = [...counts.keys()].sort((a, b) => typeName(a).localeCompare(typeName(b)));
  const items = types.map((type) => element("li", {}, swatch(type), `${typeName(type)} (${counts.get(type)})`));
  if (graph.edges.some((edge) => edge.type === "HAS_AGREEMENT")) {
    const line = element("i", { class: "network-agreement", "aria-hidden": "true" });
    items.push(element("li", {}, line, t("network.agreement")));
  }
  list.replaceChildren(...items);
}

function memberButton(node, detail, selected) {
  const current = node.id === selected ? "true" : null;
  const name = element("span", { class: "network-name" }, nameOf(node));
  const button = element("button", { type: "button", "aria-current": current }, swatch(node.type), name, " ");
  button.append(element("span", { class: "muted" }, detail));
  return element("li", { dataset: { nodeId: node.id } }, button);
}

// Every member, by the measure (largest first), then id, as the API ranks them.
export function renderMembers(list, graph, measure, selected) {
  const values = graph[measure];
  const ranked = [...graph.nodes].sort((a, b) => values.get(b.id) - values.get(a.id) || (a.id < b.id ? -1 : 1));
  const detail = (node) => `${typeName(node.type)} · ${figureOf(graph, measure, node.id)}`;
  list.replaceChildren(...ranked.map((node) => memberButton(node, detail(node), selected)));
}

export function renderUnconnected(list, graph, selected) {
  const nodes = (graph.unconnected ?? []).map((id) => graph.byId.get(id));
  list.replaceChildren(...nodes.map((node) => memberButton(node, typeName(node.type), selected)));
}

// Marks the selected member in a list built above.
export function markSelected(list, selected) {
  for (const item of list.children) {
    const button = item.querySelector("button");
    if (item.dataset.nodeId === selected) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}

// Its neighbours by relationship and direction ("Runs", "Run by", ...), in the order of the phrases' keys.
function neighbourGroups(graph, id) {
  const groups = new Map();
  for (const edge of graph.edges) {
    if (edge.source === edge.target || (edge.source !== id && edge.target !== id)) continue;
    const [key, other] =
      edge.source === id ? [`network.out_${edge.type}`, edge.target] : [`network.in_${edge.type}`, edge.source];
    if (!groups.has(key)) groups.set(key, new Set());
    groups.get(key).add(other);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : 1));
}

// Where the selected member is shown: `where.shown` is "itself" (a marker, or its own shape), "shapes" (where it
// works, `where.count` municipalities) or "none"; `where` is null while asking.
export function renderWhere(section, where) {
  const text = {
    itself: () => t("network.onMap"),
    shapes: () => t("network.worksIn", { count: where.count }),
    none: () => t("network.noLocation"),
  }[where?.shown];
  section.querySelector(".network-where").textContent = text ? text() : "";
}

// The selected member's details: name, type, figures, where it is shown (see renderWhere), what joins it to
// others (buttons with `data-node-id` that select them) and, when it has a network of its own among `choices`,
// a button that draws it (`data-draw`).
export function renderDetails(section, graph, id, where, choices) {
  const node = graph.byId.get(id);
  const figures = t("network.figures", {
    degree: figureOf(graph, "degree", id),
    betweenness: figureOf(graph, "betweenness", id),
  });
  const groups = neighbourGroups(graph, id).map(([key, ids]) => {
    const neighbours = [...ids].map((other) => graph.byId.get(other));
    neighbours.sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    const items = neighbours.map((other) => {
      const attributes = { type: "button", class: "link", dataset: { nodeId: other.id } };
      return element("li", {}, element("button", attributes, nameOf(other)));
    });
    const summary = element("summary", {}, `${t(key)} (${neighbours.length})`);
    return element("details", { open: neighbours.length <= OPEN_UP_TO }, summary, element("ul", {}, ...items));
  });
  const draws = id !== graph.root && choices.has(id);
  const parts = [
    element("h3", {}, swatch(node.type), nameOf(node), node.isDemo ? demoBadge() : null),
    element("p", { class: "muted" }, typeName(node.type)),
    element("p", {}, figures),
    element("p", { class: "network-where" }),
    draws ? element("button", { type: "button", dataset: { draw: id } }, t("network.drawIts")) : null,
    ...groups,
  ];
  section.replaceChildren(...parts.filter(Boolean));
  renderWhere(section, where);
}
