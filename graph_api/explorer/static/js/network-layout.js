// Where each member of a network is drawn: a force-directed layout (Fruchterman and Reingold's) from a fixed
// start, with no random step, so that a network is laid out the same at every load and width (for tests and
// screenshots alike). Cytoscape.js's own `cose` took 1.3 s for a county and 6 s for the largest district in
// headless Chromium; this takes some tens of milliseconds.

const ITERATIONS = 300;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
const GRAVITY = 0.05;

// Positions { id: { x, y } } for `ids` (hubs first: they start in the middle) joined by `pairs` ([[id, id], ...]),
// neighbours about `k` apart.
export function layOut(ids, pairs, k) {
  const count = ids.length;
  const index = new Map(ids.map((id, at) => [id, at]));
  const links = pairs.map(([a, b]) => [index.get(a), index.get(b)]).filter(([a, b]) => a !== b);
  const side = k * Math.sqrt(count);
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  for (let at = 0; at < count; at += 1) {
    // a sunflower's spiral: evenly spread, no two members at one point
    const radius = k * Math.sqrt(at) * 0.5;
    x[at] = radius * Math.cos(at * GOLDEN_ANGLE);
    y[at] = radius * Math.sin(at * GOLDEN_ANGLE);
  }
  const dx = new Float64Array(count);
  const dy = new Float64Array(count);
  for (let step = 0; step < ITERATIONS; step += 1) {
    dx.fill(0);
    dy.fill(0);
    for (let a = 0; a < count; a += 1) {
      for (let b = a + 1; b < count; b += 1) {
        const ex = x[a] - x[b];
        const ey = y[a] - y[b];
        const squared = Math.max(ex * ex + ey * ey, 0.01);
        const push = (k * k) / squared;
        dx[a] += ex * push;
        dy[a] += ey * push;
        dx[b] -= ex * push;
        dy[b] -= ey * push;
      }
    }
    for (const [a, b] of links) {
      const ex = x[a] - x[b];
      const ey = y[a] - y[b];
      const pull = Math.sqrt(ex * ex + ey * ey) / k;
      dx[a] -= ex * pull;
      dy[a] -= ey * pull;
      dx[b] += ex * pull;
      dy[b] += ey * pull;
    }
    const temperature = (side / 10) * (1 - step / ITERATIONS);
    for (let at = 0; at < count; at += 1) {
      const fx = dx[at] - GRAVITY * x[at];
      const fy = dy[at] - GRAVITY * y[at];
      const length = Math.sqrt(fx * fx + fy * fy);
      if (length === 0) continue;
      const move = Math.min(length, temperature) / length;
      x[at] += fx * move;
      y[at] += fy * move;
    }
  }
  return Object.fromEntries(ids.map((id, at) => [id, { x: x[at], y: y[at] }]));
}
