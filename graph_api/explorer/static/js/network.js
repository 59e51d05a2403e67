// The network mode: choose a county (Helsinki among them), an MLL district or an organisation; its network is
// drawn, members sized by degree or betweenness, listed beside the drawing (its accessible alternative) with the
// unconnected places; a member selected in the drawing, a list or on the map is shown on the map with its details.
// The drawing sits in the panel, which this mode widens on a wide screen: the map stays in sight beside it, so a
// member selected in the drawing is seen on the map at once; at a phone's width the panel is under the map.
// State in the URL: `node` (whose network), `size` (degree or betweenness), `member` (the member selected).

import "./network_messages.js";
import { localName, onLanguageChange, t, translate } from "./i18n.js";
import { loadChoices, loadGraph, whereabouts } from "./network_data.js";
import { colourOf, createDrawing } from "./network_drawing.js";
import { createNetworkMap } from "./network_map.js";
import {
  markSelected,
  nameOf,
  renderDetails,
  renderLegend,
  renderMembers,
  renderUnconnected,
  renderWhere,
} from "./network_panel.js";
import * as state from "./state.js";
import { busy, element } from "./ui.js";

const MEASURES = ["degree", "betweenness"];
const AREAS = new Set(["Municipality", "WelfareArea"]);

function build(panel) {
  const select = element("select", { id: "network-node" });
  const sizes = MEASURES.map((measure) => element("input", { type: "radio", name: "network-size", value: measure }));
  const view = {
    select,
    sizes,
    sizeHelp: element("p", { class: "muted network-help" }),
    summary: element("p", { class: "network-summary", "aria-live": "polite" }),
    note: element("p", { class: "muted network-help", "data-i18n": "network.relationsNote" }),
    canvas: element("div", { class: "network-canvas", role: "img" }),
    zoomIn: element("button", { type: "button", "data-i18n-label": "network.zoomIn" }, "+"),
    zoomOut: element("button", { type: "button", "data-i18n-label": "network.zoomOut" }, "−"),
    fit: element("button", { type: "button", "data-i18n": "network.fit" }),
    legend: element("ul", { class: "network-legend legend", "data-i18n-label": "network.legend" }),
    details: element("section", { class: "network-details", "aria-live": "polite", hidden: true }),
    members: element("ul", { class: "network-members", "aria-labelledby": "network-members-title" }),
    unconnectedNote: element("p", { class: "muted" }),
    unconnected: element("ul", { class: "network-unconnected", "aria-labelledby": "network-unconnected-title" }),
  };
  view.result = element(
    "div",
    { class: "network-result", hidden: true },
    view.summary,
    view.note,
    element(
      "div",
      { class: "network-figure" },
      view.canvas,
      element("div", { class: "network-tools" }, view.zoomIn, view.zoomOut, view.fit),
    ),
    view.legend,
    view.details,
    element("h3", { id: "network-members-title", "data-i18n": "network.members" }),
    view.members,
    element("h3", { id: "network-unconnected-title", "data-i18n": "network.unconnected" }),
    view.unconnectedNote,
    view.unconnected,
  );
  panel.append(
    element("h2", { "data-i18n": "network.title" }),
    element("p", { class: "muted", "data-i18n": "network.intro" }),
    element("label", { class: "network-choose" }, element("span", { "data-i18n": "network.choose" }), select),
    element(
      "fieldset",
      { class: "network-size" },
      element("legend", { "data-i18n": "network.sizeBy" }),
      ...sizes.map((input) => element("label", {}, input, element("span", { "data-i18n": `network.${input.value}` }))),
      view.sizeHelp,
    ),
    view.result,
  );
  translate(panel);
  return view;
}

export function create({ map, panel }) {
  const view = build(panel);
  const onMap = createNetworkMap(map);
  let measure = MEASURES.includes(state.get("size")) ? state.get("size") : "degree";
  let chosen = state.get("node");
  let selected = state.get("member");
  let where = null; // how the selected member is shown on the map: { shown, count }
  let choices = null; // the select's groups, and the ids among them
  let drawing = null;
  let graph = null;
  let started = null;
  let loads = 0;
  let selections = 0;

  const fillSelect = () => {
    const none = element("option", { value: "" }, t("network.chooseNone"));
    const groups = choices.groups.map((group) => {
      const options = group.options.map((option) => element("option", { value: option.id }, localName(option)));
      options.sort((a, b) => a.textContent.localeCompare(b.textContent));
      return element("optgroup", { label: t(group.key) }, ...options);
    });
    view.select.replaceChildren(none, ...groups);
    view.select.value = chosen ?? "";
  };

  const renderText = () => {
    view.sizeHelp.textContent = t(`network.${measure}Help`);
    if (choices) fillSelect();
    if (!graph) return;
    const counts = { members: graph.nodes.length, edges: graph.edges.length };
    view.summary.textContent = t("network.summary", counts);
    view.canvas.setAttribute("aria-label", t("network.drawing", counts));
    renderLegend(view.legend, graph);
    renderMembers(view.members, graph, measure, selected);
    const known = graph.unconnected !== null;
    view.note.hidden = known; // an organisation's relations: no figures nor unconnected places from the API
    view.unconnectedNote.textContent = t(known ? "network.unconnectedHelp" : "network.unconnectedOnlyAreas");
    if (known && !graph.unconnected.length) view.unconnectedNote.textContent += ` ${t("network.unconnectedNone")}`;
    renderUnconnected(view.unconnected, graph, selected);
    if (selected) renderDetails(view.details, graph, selected, where, choices.ids);
    drawing.relabel(nameOf);
  };

  const drawContext = async (fit) => {
    const root = graph.byId.get(graph.root);
    const placeOf = (node) => ({
      id: node.id,
      name: nameOf(node),
      point: [node.location.lat, node.location.lon],
      colour: colourOf(node.type),
    });
    const places = graph.nodes.filter((node) => node.location).map(placeOf);
    await onMap.drawContext(await whereabouts(root), places, (id) => select(id, { fit: false }), fit);
  };

  // Selects a member (null: none): marked in the drawing and the lists, its details shown, and it on the map.
  async function select(id, { fit }) {
    const ticket = ++selections;
    selected = graph?.byId.has(id) ? id : null;
    state.set({ member: selected });
    where = null;
    drawing.choose(selected);
    markSelected(view.members, selected);
    markSelected(view.unconnected, selected);
    view.details.hidden = !selected;
    delete panel.dataset.shown;
    if (!selected) {
      onMap.clearChosen();
      return;
    }
    renderDetails(view.details, graph, selected, where, choices.ids);
    const node = graph.byId.get(selected);
    await busy(async () => {
      const { point, shapes } = await onMap.showChosen(await whereabouts(node), nameOf(node), fit);
      if (ticket !== selections) return;
      const itself = point || (shapes && AREAS.has(node.type)); // a place, a municipality or a county
      where = { shown: itself ? "itself" : shapes ? "shapes" : "none", count: shapes };
      renderWhere(view.details, where);
      panel.dataset.shown = selected;
    });
  }

  // Draws the network of `id` (restoring the selected member if it is in it); `fit` moves the map to it.
  async function draw(id, { fit }) {
    const ticket = ++loads;
    delete panel.dataset.drawn;
    const loaded = id ? await busy(() => loadGraph(id)) : null;
    if (ticket !== loads) return;
    graph = loaded ?? null;
    view.result.hidden = !graph;
    if (!graph) {
      onMap.clearContext();
      return select(null, { fit });
    }
    drawing.draw(graph, measure, nameOf);
    renderText();
    panel.dataset.drawn = id;
    await busy(() => drawContext(fit && !selected));
    if (ticket === loads) await select(selected, { fit });
  }

  async function start() {
    const drawn = () => createDrawing(view.canvas, (id) => select(id, { fit: true }));
    const ready = await busy(() => Promise.all([loadChoices(), drawn()]));
    if (!ready) {
      started = null; // shown again, it tries again
      return;
    }
    const [groups, created] = ready;
    drawing = created;
    choices = { groups, ids: new Set(groups.flatMap((group) => group.options.map((option) => option.id))) };
    fillSelect();
    window.explorerNetwork = { cy: drawing.cy, markerAt: () => onMap.markerAt() };
    if (chosen) await draw(chosen, { fit: false }); // a shared link keeps the view it was shared with
  }

  const choose = (id) => {
    chosen = id || null;
    selected = null;
    state.set({ node: chosen, member: null });
    view.select.value = chosen ?? "";
    return draw(chosen, { fit: true });
  };

  view.select.addEventListener("change", () => choose(view.select.value));
  for (const input of view.sizes) {
    input.checked = input.value === measure;
    input.addEventListener("change", () => {
      measure = input.value;
      state.set({ size: measure });
      drawing?.size(measure);
      renderText();
    });
  }
  const onList = (event) => {
    const button = event.target.closest("button");
    const item = button?.closest("[data-node-id]");
    if (button?.dataset.draw) choose(button.dataset.draw);
    else if (item) select(item.dataset.nodeId, { fit: true });
  };
  for (const list of [view.members, view.unconnected, view.details]) list.addEventListener("click", onList);
  view.zoomIn.addEventListener("click", () => drawing?.zoomBy(1));
  view.zoomOut.addEventListener("click", () => drawing?.zoomBy(-1));
  view.fit.addEventListener("click", () => drawing?.fit());
  onLanguageChange(() => {
    renderText();
    if (graph) busy(() => drawContext(false));
    if (selected) select(selected, { fit: false }); // the marker's name
  });
  renderText();

  return {
    show() {
      panel.parentElement.classList.add("network-wide");
      map.invalidateSize();
      onMap.show();
      if (started) drawing?.resize();
      else started = start();
    },
    hide() {
      panel.parentElement.classList.remove("network-wide");
      map.invalidateSize();
      onMap.hide();
    },
  };
}
