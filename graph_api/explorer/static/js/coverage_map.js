// The coverage map: the area's municipalities, a Leaflet GeoJSON layer of their own, coloured by the share of their
// people within reach in five equal classes of ColorBrewer's YlGnBu (sequential, colour-blind safe), with a legend.
// Municipalities outside the area are not drawn: the grey base map shows them. Each path carries
// `data-municipality-code`; a click chooses the municipality (the gap table offers the same to the keyboard).

import { kilometres, percent } from "./coverage_figures.js";
import { localName, t } from "./i18n.js";
import { asText, element } from "./ui.js";

const COLOURS = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];
const OUTLINE = { color: "#4d4d4d", weight: 0.6, opacity: 1, fillOpacity: 0.85, className: "coverage-municipality" };
const CHOSEN = { color: "#000000", weight: 2.5 };
const SVG = "http://www.w3.org/2000/svg";

// The class of a share: 0 to 20 % the first, ..., 80 to 100 % the last.
function colour(share) {
  return COLOURS[Math.min(COLOURS.length - 1, Math.floor(share * COLOURS.length))];
}

export function createCoverageMap(map, onChoose) {
  let layer = null;
  let paths = new Map();
  let chosen = null;
  let shown = false;
  let caption = "";
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    const box = L.DomUtil.create("div", "legend coverage-legend");
    fillLegend(box, caption);
    return box;
  };

  function relabel(newCaption) {
    caption = newCaption;
    const box = legend.getContainer();
    if (box) fillLegend(box, caption);
  }

  function choose(code) {
    if (chosen && paths.has(chosen)) layer.resetStyle(paths.get(chosen));
    chosen = code;
    const path = paths.get(code);
    if (path) path.setStyle(CHOSEN).bringToFront();
  }

  return {
    // Draws the municipalities of `rows` (the gaps' figures) from the shapes, `caption` over the legend.
    draw(shapes, rows, newCaption) {
      if (layer) layer.remove();
      const figures = new Map(rows.map((row) => [row.municipality.code, row]));
      const features = shapes.features.filter((feature) => figures.has(feature.properties.code));
      paths = new Map();
      layer = L.geoJSON(
        { type: "FeatureCollection", features },
        {
          style: (feature) => ({ ...OUTLINE, fillColor: colour(figures.get(feature.properties.code).shareWithin) }),
          onEachFeature: (feature, path) => {
            const code = feature.properties.code;
            paths.set(code, path);
            path.on("add", () => path.getElement().setAttribute("data-municipality-code", code));
            path.on("click", () => onChoose(code));
            path.bindTooltip(() => asText(`${localName(feature.properties)}: ${percent(figures.get(code).shareWithin)}`), {
              sticky: true,
            });
          },
        },
      );
      relabel(newCaption);
      if (shown) layer.addTo(map);
      if (chosen) choose(chosen);
    },
    choose,
    relabel,
    fit() {
      if (layer && paths.size) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    },
    zoomTo(code) {
      const path = paths.get(code);
      if (path) map.fitBounds(path.getBounds(), { maxZoom: 9, padding: [24, 24] });
    },
    show() {
      shown = true;
      legend.addTo(map);
      if (layer) layer.addTo(map);
      if (chosen) choose(chosen);
    },
    hide() {
      shown = false;
      legend.remove();
      if (layer) layer.remove();
    },
  };
}

function fillLegend(box, caption) {
  const rows = COLOURS.map((colour, index) =>
    element("div", {}, swatch(colour), `${percent(index / COLOURS.length)}–${percent((index + 1) / COLOURS.length)}`),
  );
  box.replaceChildren(element("strong", {}, caption), ...rows);
}

function swatch(colour) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "12");
  svg.setAttribute("aria-hidden", "true");
  const rect = document.createElementNS(SVG, "rect");
  for (const [name, value] of Object.entries({ width: 16, height: 12, fill: colour, stroke: "#4d4d4d" })) {
    rect.setAttribute(name, String(value));
  }
  svg.append(rect);
  return svg;
}

export function legendCaption(withinKm, taskNumber) {
  const base = t("coverage.legend", { km: kilometres(withinKm) });
  return taskNumber ? `${base}, ${t("coverage.taskShort", { number: taskNumber })}` : base;
}
