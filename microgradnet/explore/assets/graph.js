// microgradnet explorer: the computation graph, stepped forward node by node and backward edge by edge.
"use strict";

/*
 * Position p runs from 0 (nothing computed) to the number of steps. Steps 0 .. N-1 are the forward
 * pass (node p appears), step N seeds grad(root) = 1, and the steps after it are the backward
 * edges in the engine's order. The view at position p shows the first p steps applied; every
 * number it shows is one Python recorded for that step.
 */
class GraphView extends Player {
  constructor(root, data, style) {
    super(500);
    this.data = data;
    this.style = style;
    this.nodes = data.nodes;
    this.steps = data.backward;
    this.total = this.nodes.length + 1 + this.steps.length;
    this.position = 0;
    this.root = root;
    this.build();
    this.show(0);
  }

  build() {
    const controls = html("div", { class: "controls" });
    this.playButton = button("▶ play", "play / pause (space)", () => this.toggle());
    controls.append(
      button("|◀ start", "to the start (Home)", () => this.show(0)),
      button("◀ back", "one step back (←)", () => this.show(this.position - 1)),
      this.playButton,
      button("step ▶", "one step forward (→)", () => this.show(this.position + 1)),
      button("end ▶|", "to the end (End)", () => this.show(this.total)),
    );
    this.counter = html("span", { class: "counter" });
    this.phase = html("span", { class: "phase" });
    controls.append(this.counter, this.phase);

    this.explain = html("div", { class: "explain" });
    this.stepText = html("div", { class: "step-text" });
    this.sumText = html("div", { class: "step-sum" });
    this.equation = html("div", { class: "step-equation" });
    this.explain.append(this.stepText, this.sumText, this.equation);

    const frame = html("div", { class: "graph-frame" });
    const d = this.data;
    this.svg = svg("svg", {
      viewBox: `-4 -4 ${d.width + 8} ${d.height + 8}`,
      width: String(d.width + 8), // Graphviz's size in points, shrunk to the frame's width if wider
      class: "graph",
    });
    const defs = svg("defs");
    for (const [id, colour] of [
      ["arrow", "#666666"],
      ["arrow-now", "#e08a00"],
    ]) {
      const marker = svg("marker", { id: `${this.root.id}-${id}`, viewBox: "0 0 10 10", refX: "10", refY: "5" });
      marker.setAttribute("markerWidth", "5");
      marker.setAttribute("markerHeight", "5");
      marker.setAttribute("orient", "auto-start-reverse");
      marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }));
      defs.appendChild(marker);
    }
    this.svg.appendChild(defs);
    for (const c of d.clusters) {
      this.svg.appendChild(
        svg("rect", {
          x: c.x, y: c.y, width: c.width, height: c.height, rx: 6,
          class: c.filled ? "cluster neuron" : "cluster layer",
        }),
      );
      const title = svg("text", { x: c.x + 8, y: c.y + 13, class: "cluster-title" });
      title.textContent = c.title;
      this.svg.appendChild(title);
    }
    this.edgeElements = d.edges.map((e) => {
      const g = svg("g", { class: "edge", "data-parent": e.parent, "data-node": e.node, "data-operand": e.operand });
      const path = svg("path", { d: `${e.path} L${e.tip[0]},${e.tip[1]}`, fill: "none" });
      path.setAttribute("marker-end", `url(#${this.root.id}-arrow)`);
      const label = svg("text", { x: e.label_x, y: e.label_y + 3, class: "edge-label" });
      g.append(path, label);
      this.svg.appendChild(g);
      return { g, path, label };
    });
    this.edgeIndex = new Map(d.edges.map((e, k) => [`${e.node}:${e.operand}`, k]));
    this.tooltip = new Tooltip(this.root);
    this.nodeElements = this.nodes.map((n, i) => {
      const g = svg("g", { class: "node", id: `${this.root.id}-${n.name}`, "data-index": i });
      const rect = svg("rect", {
        x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height, rx: 5,
      });
      const title = svg("text", { x: n.x, y: n.y + 4 - 12, class: "title" });
      if (n.label || n.op) {
        const bold = svg("tspan", n.label ? { "font-weight": "bold" } : { class: "name" });
        bold.textContent = n.title; // its label, or its name n{i} when it has none
        title.appendChild(bold);
      }
      if (n.op) {
        const op = svg("tspan", { class: "op" });
        op.textContent = "  " + n.op;
        title.appendChild(op);
      }
      const rows = n.label || n.op ? 1 : 0; // as draw_graph's box: a title row when there is a label or an op
      const middle = n.y + 4 - 6 * (rows + 1) + 12 * rows;
      const data = svg("text", { x: n.x, y: middle, class: "data" });
      const grad = svg("text", { x: n.x, y: middle + 12, class: "grad" });
      const dataValue = svg("tspan", { class: "value" });
      const gradValue = svg("tspan", { class: "value" });
      data.append("data ", dataValue);
      grad.append("grad ", gradValue);
      g.append(rect, title, data, grad);
      g.addEventListener("mousemove", (event) => this.tooltip.show(event, this.record(i)));
      g.addEventListener("mouseleave", () => this.tooltip.hide());
      this.svg.appendChild(g);
      return { g, rect, dataValue, gradValue };
    });
    frame.appendChild(this.svg);

    const legend = html("div", { class: "legend" });
    legend.innerHTML =
      "<b>Backward, edge by edge:</b> grad(parent) += (local derivative ∂node/∂parent) × grad(node). " +
      "In a neuron (Nielsen, <i>Neural Networks and Deep Learning</i>, ch. 2): " +
      "<b>BP1</b> δ<sup>L</sup> = ∂C/∂a<sup>L</sup> σ′(z<sup>L</sup>) on the output layer, " +
      "<b>BP2</b> δ<sup>l</sup><sub>k</sub> = (Σ<sub>j</sub> w<sup>l+1</sup><sub>jk</sub> δ<sup>l+1</sup><sub>j</sub>) σ′(z<sup>l</sup><sub>k</sub>) on a hidden one, " +
      "<b>BP3</b> ∂C/∂b = δ, <b>BP4</b> ∂C/∂w<sub>jk</sub> = a<sub>k</sub> δ<sub>j</sub>. " +
      "Keys: → step, ← back, space play/pause, Home/End. Hover a box for its record.";
    this.root.append(controls, this.explain, frame, legend);
  }

  /** A node's full record, for its tooltip. */
  record(i) {
    const n = this.nodes[i];
    const names = n.parents.map((p) => this.nodes[p].title);
    const lines = [
      `${n.title}   (${n.name}, node ${i + 1} of ${this.nodes.length} in topological order)`,
      `op: ${n.op || "(leaf)"}`,
      `data = ${String(num(n.data))}`,
      `grad = dC/d${n.title} = ${String(num(n.grad))}  (after the whole backward pass)`,
    ];
    if (n.parents.length) {
      lines.push("operands and local derivatives d node / d operand:");
      n.parents.forEach((p, k) => lines.push(`  ${names[k]}: ${String(num(n.local_grads[k]))}`));
    }
    const consumers = this.data.edges.filter((e) => e.parent === i).map((e) => this.nodes[e.node].title);
    if (consumers.length) lines.push(`consumers: ${consumers.join(", ")}`);
    if (n.group) lines.push(`neuron: ${n.group}`);
    return lines;
  }

  get current() {
    return this.position;
  }

  get last() {
    return this.total;
  }

  /** Show the graph with the first `position` steps applied. */
  show(position) {
    const N = this.nodes.length;
    this.position = Math.max(0, Math.min(this.total, position));
    const p = this.position;
    // Before the seed no gradient exists; from the seed on, every grad starts at 0 as in the engine.
    const grads = new Array(N).fill(p > N ? 0.0 : null);
    if (p > N) grads[N - 1] = 1.0;
    const done = Math.max(0, p - N - 1); // backward edges applied
    for (let k = 0; k < done; k++) grads[this.steps[k].parent] = num(this.steps[k].after);
    this.nodeElements.forEach((el, i) => {
      const known = i < p;
      el.g.classList.toggle("unknown", !known);
      el.g.classList.remove("now", "now-parent");
      if (known) setValue(el.dataValue, num(this.nodes[i].data));
      else this.blank(el.dataValue);
      if (grads[i] !== null) {
        setValue(el.gradValue, grads[i]);
        el.rect.setAttribute("fill", signedFill(grads[i], this.data.largest_grad, this.style));
      } else {
        this.blank(el.gradValue);
        el.rect.setAttribute("fill", "#ffffff");
      }
    });
    this.edgeElements.forEach((el, k) => {
      const e = this.data.edges[k];
      el.g.classList.remove("now");
      el.path.setAttribute("marker-end", `url(#${this.root.id}-arrow)`);
      el.label.textContent = e.node < p ? fmt(num(this.nodes[e.node].local_grads[e.operand])) : "";
    });
    this.counter.textContent = `step ${p} of ${this.total}`;
    this.root.dataset.position = String(p);
    this.describe(p, N);
  }

  /** Scroll the frame (only the frame) so that the box of this step is in sight. */
  reveal(g) {
    const frame = this.svg.parentElement;
    const box = g.getBoundingClientRect();
    const view = frame.getBoundingClientRect();
    if (box.top < view.top || box.bottom > view.bottom) frame.scrollTop += box.top - view.top - view.height / 2;
    if (box.left < view.left || box.right > view.right) frame.scrollLeft += box.left - view.left - view.width / 2;
  }

  blank(element) {
    element.textContent = "·";
    delete element.dataset.exact;
  }

  describe(p, N) {
    this.sumText.textContent = "";
    this.equation.textContent = "";
    this.equation.dataset.rule = "";
    delete this.stepText.dataset.node;
    delete this.stepText.dataset.parent;
    if (p === 0) {
      this.phase.textContent = "start";
      this.stepText.textContent = "Press → (or step ▶) to compute the first node; the values appear in topological order.";
      return;
    }
    if (p <= N) {
      const i = p - 1;
      this.phase.textContent = `forward: node ${p} of ${N}`;
      this.stepText.textContent = this.nodes[i].forward;
      this.stepText.dataset.node = String(i);
      this.nodeElements[i].g.classList.add("now");
      this.reveal(this.nodeElements[i].g);
      if (p === N) this.sumText.textContent = "The forward pass is done; the backward pass starts at the root.";
      return;
    }
    if (p === N + 1) {
      this.phase.textContent = "backward: seed";
      this.stepText.textContent = `grad(${this.nodes[N - 1].title}) = dC/dC = 1`;
      this.stepText.dataset.node = String(N - 1);
      this.nodeElements[N - 1].g.classList.add("now");
      return;
    }
    const k = p - N - 2;
    const s = this.steps[k];
    const node = this.nodes[s.node];
    const parent = this.nodes[s.parent];
    this.phase.textContent = `backward: edge ${k + 1} of ${this.steps.length}`;
    this.stepText.textContent =
      `grad(${parent.title}) += ∂${node.title}/∂${parent.title} × grad(${node.title}) = ` +
      `${fmt(num(s.local))} × ${fmt(num(s.grad))} = ${fmt(num(s.contribution))}`;
    this.stepText.dataset.node = String(s.node);
    this.stepText.dataset.parent = String(s.parent);
    const complete = s.consumer === s.consumers ? `: complete, dC/d${parent.title} = ${fmt(num(s.after))}` : "";
    this.sumText.textContent =
      `running sum of grad(${parent.title}) over its ${s.consumers} consumer${s.consumers === 1 ? "" : "s"}, ` +
      `${s.consumer} of ${s.consumers} so far: ${fmt(num(s.before))} + ${fmt(num(s.contribution))} = ` +
      `${fmt(num(s.after))}${complete}`;
    this.equation.textContent = s.equation;
    this.equation.dataset.rule = s.rule;
    this.nodeElements[s.node].g.classList.add("now");
    this.nodeElements[s.parent].g.classList.add("now-parent");
    this.reveal(this.nodeElements[s.parent].g);
    const edge = this.edgeElements[this.edgeIndex.get(`${s.node}:${s.operand}`)];
    edge.g.classList.add("now");
    edge.path.setAttribute("marker-end", `url(#${this.root.id}-arrow-now)`);
  }
}
