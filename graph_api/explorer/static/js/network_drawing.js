// The drawing of a network with Cytoscape.js, loaded the first time the network mode is shown (not with the page).
// Members are coloured and shaped by type, sized by degree or betweenness, laid out by network_layout.js (the same
// at every load and width). Labels keep one screen size whatever the zoom.

import { layOut } from "./network_layout.js";

const SCRIPT = "/static/vendor/cytoscape/cytoscape.min.js";
const SHAPES = {
  WelfareArea: "hexagon",
  Municipality: "round-rectangle",
  Region: "rectangle",
  District: "diamond",
  LocalAssociation: "triangle",
  MeetingPlace: "ellipse",
  FamilyCentre: "star",
  Organization: "octagon",
};
const SMALLEST = 12;
const LARGEST = 56;
const LABEL_EVERY_PX = 80; // of the drawing's width: one of the largest members labelled, 4 to 10 of them
const FONT_PX = 12;
const PADDING = 16;
const GAP = 24; // about how far apart members are drawn, edge to edge
const FIT_ZOOM = 1.25;
const ZOOM_STEP = 1.4;

let loading = null;

function loadCytoscape() {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = SCRIPT;
    script.addEventListener("load", () => resolve(window.cytoscape));
    script.addEventListener("error", () => {
      loading = null;
      script.remove();
      reject(new Error(SCRIPT));
    });
    document.head.append(script);
  });
  return loading;
}

// The colour of a type, from the stylesheet's `--network-<Type>` (the legend's swatches use the same).
export function colourOf(type) {
  const style = getComputedStyle(document.documentElement);
  return style.getPropertyValue(`--network-${type}`).trim() || style.getPropertyValue("--network-other").trim();
}

// Sizes by the square root of a figure over the largest (so that the area grows with it), strictly in its order.
function sizesOf(values) {
  const largest = Math.max(0, ...values.values());
  const sizeOf = (value) => (largest > 0 ? SMALLEST + (LARGEST - SMALLEST) * Math.sqrt(value / largest) : SMALLEST);
  return new Map([...values].map(([id, value]) => [id, sizeOf(value)]));
}

function stylesheet(zoom) {
  const ink = getComputedStyle(document.documentElement).getPropertyValue("--ink").trim();
  return [
    {
      selector: "node",
      style: {
        "background-color": "data(colour)",
        shape: "data(shape)",
        width: "data(size)",
        height: "data(size)",
        "border-width": 1,
        "border-color": "#ffffff",
      },
    },
    {
      selector: "node.labelled, node.chosen",
      style: {
        label: "data(label)",
        color: ink,
        "font-size": FONT_PX / zoom,
        "text-valign": "bottom",
        "text-margin-y": 3 / zoom,
        "text-outline-color": "#ffffff",
        "text-outline-width": 2.5 / zoom,
        "text-wrap": "ellipsis",
        "text-max-width": 160 / zoom,
        "z-index": 10,
      },
    },
    { selector: "node.chosen", style: { "border-width": 4 / zoom, "border-color": "#000000", "z-index": 20 } },
    {
      selector: "edge",
      style: { width: 1 / zoom, "line-color": "#9aa3b0", "line-opacity": 0.7, "curve-style": "straight" },
    },
    { selector: "edge[type = 'HAS_AGREEMENT']", style: { "line-style": "dashed", "line-color": "#4d5564" } },
    { selector: "edge.near", style: { width: 2.5 / zoom, "line-color": "#0b5cad", "z-index": 15 } },
  ];
}

// A drawing in `container`; `onSelect(id)` when a member is tapped. Resolves once Cytoscape.js has loaded.
export async function createDrawing(container, onSelect) {
  const cytoscape = await loadCytoscape();
  const cy = cytoscape({
    container,
    style: stylesheet(1),
    userZoomingEnabled: false,
    boxSelectionEnabled: false,
    autounselectify: true,
    minZoom: 0.05,
    maxZoom: 5,
  });
  let graph = null;
  let zoom = cy.zoom();
  const restyle = () => {
    if (cy.zoom() === zoom) return;
    zoom = cy.zoom();
    cy.style().fromJson(stylesheet(zoom)).update();
  };
  cy.on("zoom", restyle);
  cy.on("tap", "node", (event) => onSelect(event.target.id()));

  return {
    cy,
    // Draws `graph` (see network_data.js) sized by `measure`, with each member's label from `labelOf(node)`.
    draw(next, measure, labelOf) {
      graph = next;
      cy.resize(); // the container may have been hidden when Cytoscape.js measured it
      const sizes = { degree: sizesOf(graph.degree), betweenness: sizesOf(graph.betweenness) };
      cy.batch(() => {
        cy.elements().remove();
        cy.add(graph.nodes.map((node) => nodeElement(node, labelOf(node), sizes)));
        cy.add(graph.edges.map((edge, index) => ({ group: "edges", data: { id: `edge-${index}`, ...edge } })));
      });
      placeAll(cy, graph);
      this.size(measure);
    },
    // Sizes the members by "degree" or "betweenness", and labels the largest.
    size(measure) {
      if (!graph) return;
      const sizes = sizesOf(graph[measure]);
      const rank = [...graph[measure]].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
      const count = Math.max(4, Math.min(10, Math.round(cy.width() / LABEL_EVERY_PX)));
      const labelled = new Set([graph.root, ...rank.slice(0, count).map(([id]) => id)]);
      cy.batch(() => {
        for (const node of cy.nodes()) {
          node.data("size", sizes.get(node.id()));
          node.toggleClass("labelled", labelled.has(node.id()));
        }
      });
    },
    // Marks the chosen member and its relationships; null marks none.
    choose(id) {
      cy.batch(() => {
        cy.elements().removeClass("chosen near");
        if (id && cy.hasElementWithId(id)) cy.getElementById(id).addClass("chosen").connectedEdges().addClass("near");
      });
    },
    relabel(labelOf) {
      if (!graph) return;
      cy.batch(() => {
        for (const node of graph.nodes) cy.getElementById(node.id).data("label", labelOf(node));
      });
    },
    zoomBy(factor) {
      cy.zoom({ level: cy.zoom() * (factor > 0 ? ZOOM_STEP : 1 / ZOOM_STEP), renderedPosition: centreOf(cy) });
    },
    fit() {
      fit(cy);
    },
    // After the container was hidden or changed size.
    resize() {
      cy.resize();
      this.fit();
    },
  };
}

function nodeElement(node, label, sizes) {
  const size = Math.max(sizes.degree.get(node.id), sizes.betweenness.get(node.id));
  const data = { id: node.id, type: node.type, label, size, colour: colourOf(node.type) };
  return { group: "nodes", data: { ...data, shape: SHAPES[node.type] ?? "ellipse" } };
}

// Hubs start in the middle (by degree, then id), each member given room for the larger of its two sizes.
function placeAll(cy, graph) {
  const members = cy.nodes().map((node) => ({ id: node.id(), size: node.data("size") }));
  members.sort((a, b) => graph.degree.get(b.id) - graph.degree.get(a.id) || (a.id < b.id ? -1 : 1));
  const positions = layOut(members, graph.edges.map((edge) => [edge.source, edge.target]), GAP);
  cy.nodes().positions((node) => positions[node.id()]);
  fit(cy);
}

// The whole network in view, but not magnified past FIT_ZOOM (a small network's members would look huge).
function fit(cy) {
  cy.fit(undefined, PADDING);
  if (cy.zoom() > FIT_ZOOM) {
    cy.zoom(FIT_ZOOM);
    cy.center();
  }
}

function centreOf(cy) {
  return { x: cy.width() / 2, y: cy.height() / 2 };
}
