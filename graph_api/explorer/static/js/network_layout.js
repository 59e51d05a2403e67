// Where each member of a network is drawn: a force-directed layout (Fruchterman and Reingold's) from a fixed
// start, with no random step, so that a network is laid out the same at every load and width (for tests and
// screenshots alike). Cytoscape.js's own `cose` took 1.3 s for a county and 6 s for the largest district in
// headless Chromium; this takes about 100 ms for the largest.

const ITERATIONS = 300;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
const GRAVITY = 0.05;

// Positions { id: { x, y } } of `members` ([{ id, size }], hubs first: they start in the middle) joined by
// `pairs` ([[id, id], ...]): two members settle about `gap` apart, edge to edge.
export function layOut(members, pairs, gap) {
  const count = members.length;
  const index = new Map(members.map((member, at) => [member.id, at]));
  const radius = members.map((member) => member.size / 2);
  const links = pairs.map(([a, b]) => [index.get(a), index.get(b)]).filter(([a, b]) => a !== b);
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  const average = gap + 2 * (radius.reduce((sum, r) => sum + r, 0) / Math.max(count, 1));
  for (let at = 0; at < count; at += 1) {
    // a sunflower's spiral: evenly spread, no two members at one point
    const distance = average * Math.sqrt(at) * 0.5;
    x[at] = distance * Math.cos(at * GOLDEN_ANGLE);
    y[at] = distance * Math.sin(at * GOLDEN_ANGLE);
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
        const k = gap + radius[a] + radius[b];
        const push = (k * k) / Math.max(ex * ex + ey * ey, 0.01);
        dx[a] += ex * push;
        dy[a] += ey * push;
        dx[b] -= ex * push;
        dy[b] -= ey * push;
      }
    }
    for (const [a, b] of links) {
      const ex = x[a] - x[b];
      const ey = y[a] - y[b];
      const pull = Math.sqrt(ex * ex + ey * ey) / (gap + radius[a] + radius[b]);
      dx[a] -= ex * pull;
      dy[a] -= ey * pull;
      dx[b] += ex * pull;
      dy[b] += ey * pull;
    }
    const temperature = ((average * Math.sqrt(count)) / 10) * (1 - step / ITERATIONS);
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
  return Object.fromEntries(members.map((member, at) => [member.id, { x: x[at], y: y[at] }]));
}
