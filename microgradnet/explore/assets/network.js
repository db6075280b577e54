// microgradnet explorer: a network's training, replayed epoch by epoch from Python's snapshots.
"use strict";

const COLUMN = 190;
const ROW = 42;
const BOX_W = 132;
const BOX_H = 36;

class NetworkView extends Player {
  constructor(root, data, style) {
    super(120);
    this.root = root;
    this.data = data;
    this.style = style;
    this.sizes = data.sizes;
    this.neurons = this.sizes.slice(1).reduce((s, n) => s + n, 0);
    this.parameters = float64s(data.parameters);
    this.a = float64s(data.a);
    this.delta = float64s(data.delta);
    this.cost = float64s(data.sample_cost);
    this.snapshots = data.epochs.length;
    this.levels = data.boundary ? data.boundary.levels.map(bytes) : [];
    this.epoch = this.snapshots - 1;
    this.sample = 0;
    this.build();
    this.show(this.epoch);
  }

  /** Offsets into one snapshot's parameters: w[l][j][k] and b[l][j], in `MLP.parameters()` order. */
  weightIndex(l, j, k) {
    let offset = 0;
    for (let m = 0; m < l; m++) offset += this.sizes[m + 1] * (this.sizes[m] + 1);
    return offset + j * (this.sizes[l] + 1) + k;
  }

  neuronIndex(l, j) {
    let offset = 0;
    for (let m = 0; m < l; m++) offset += this.sizes[m + 1];
    return offset + j;
  }

  build() {
    const d = this.data;
    const controls = html("div", { class: "controls" });
    this.playButton = button("▶ play", "replay the training (space)", () => this.toggle());
    this.slider = html("input", { type: "range", min: "0", max: String(this.snapshots - 1), step: "1", class: "epoch" });
    this.slider.value = String(this.epoch);
    this.slider.disabled = this.snapshots < 2;
    this.slider.addEventListener("input", () => this.show(parseInt(this.slider.value, 10)));
    this.epochLabel = html("span", { class: "epoch-label" });
    this.select = html("select", { class: "sample", title: "the sample whose a and δ are shown" });
    d.samples.forEach((s, k) => {
      const x = d.x[s].map((v) => fmt(num(v))).join(", ");
      const y = d.y[s].map((v) => fmt(num(v))).join(", ");
      this.select.appendChild(html("option", { value: String(k) }, `sample ${s}: x = (${x}), y = ${y}`));
    });
    this.select.addEventListener("change", () => {
      this.sample = parseInt(this.select.value, 10);
      this.show(this.epoch);
    });
    controls.append(this.playButton, this.slider, this.epochLabel, html("span", {}, "a and δ of"), this.select);

    const panels = html("div", { class: "panels" });
    this.tooltip = new Tooltip(this.root);
    panels.append(this.buildNetwork(), this.buildSide());
    const legend = html("div", { class: "legend" });
    legend.innerHTML =
      "Edges are weights w<sub>jk</sub>: <span class='swatch positive'></span> positive, " +
      "<span class='swatch negative'></span> negative, width ∝ |w| (the widest is " +
      `|w| = ${fmt(d.largest_weight)} over all epochs). Neurons show a = σ(z) and δ = ∂C/∂z for the chosen ` +
      "sample, filled red (δ &lt; 0) to blue (δ &gt; 0). Keys: ← → epoch, space play/pause, Home/End.";
    this.root.append(controls, panels, legend);
  }

  buildNetwork() {
    const s = this.sizes;
    const height = Math.max(...s) * ROW + 30;
    const width = (s.length + 1) * COLUMN;
    const panel = html("div", { class: "panel network-panel" });
    this.svg = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: String(width), height: String(height) });
    const at = (c, r, n) => [70 + c * COLUMN, 20 + ROW / 2 + r * ROW + ((Math.max(...s) - n) * ROW) / 2];
    this.edges = [];
    for (let l = 0; l + 1 < s.length; l++) {
      for (let j = 0; j < s[l + 1]; j++) {
        for (let k = 0; k < s[l]; k++) {
          const [x0, y0] = at(l, k, s[l]);
          const [x1, y1] = at(l + 1, j, s[l + 1]);
          const line = svg("line", {
            x1: x0 + BOX_W / 2, y1: y0, x2: x1 - BOX_W / 2, y2: y1,
            id: `${this.root.id}-w-${l}-${j}-${k}`, class: "weight",
          });
          line.addEventListener("mousemove", (event) =>
            this.tooltip.show(event, [`w[${l}][${j}][${k}] = ${line.dataset.exact}`, `epoch ${this.data.epochs[this.epoch]}`]),
          );
          line.addEventListener("mouseleave", () => this.tooltip.hide());
          this.svg.appendChild(line);
          this.edges.push({ line, l, j, k });
        }
      }
    }
    const box = (c, r, n, id, title) => {
      const [x, y] = at(c, r, n);
      const g = svg("g", { id, class: "unit" });
      const rect = svg("rect", { x: x - BOX_W / 2, y: y - BOX_H / 2, width: BOX_W, height: BOX_H, rx: 6, fill: "#ffffff" });
      const head = svg("text", { x, y: y - 5, class: "title" });
      head.textContent = title;
      const line = svg("text", { x, y: y + 10 });
      g.append(rect, head, line);
      this.svg.appendChild(g);
      return { g, rect, line };
    };
    this.inputs = [];
    for (let k = 0; k < s[0]; k++) {
      const input = box(0, k, s[0], `${this.root.id}-x-${k}`, `x[${k}]`);
      input.value = svg("tspan");
      input.line.append(input.value);
      this.inputs.push(input);
    }
    this.units = [];
    for (let l = 0; l + 1 < s.length; l++) {
      for (let j = 0; j < s[l + 1]; j++) {
        const unit = box(l + 1, j, s[l + 1], `${this.root.id}-neuron-${l}-${j}`, `[${l}][${j}]`);
        unit.a = svg("tspan", { class: "value a" });
        unit.delta = svg("tspan", { class: "value delta" });
        unit.line.append("a ", unit.a, "  δ ", unit.delta);
        unit.g.addEventListener("mousemove", (event) => this.tooltip.show(event, this.neuronRecord(l, j)));
        unit.g.addEventListener("mouseleave", () => this.tooltip.hide());
        this.units.push(unit);
      }
    }
    const [cx, cy] = at(s.length, 0, 1);
    for (let j = 0; j < s[s.length - 1]; j++) {
      const [ox, oy] = at(s.length - 1, j, s[s.length - 1]);
      this.svg.appendChild(svg("line", { x1: ox + BOX_W / 2, y1: oy, x2: cx - BOX_W / 2, y2: cy, class: "to-cost" }));
    }
    this.costBox = box(s.length, 0, 1, `${this.root.id}-cost`, `C (${this.data.cost})`);
    this.costValue = svg("tspan", { class: "value" });
    this.costBox.line.append(this.costValue);
    panel.appendChild(this.svg);
    return panel;
  }

  buildSide() {
    const side = html("div", { class: "panel side" });
    const d = this.data;
    if (d.boundary) {
      const b = d.boundary;
      const frame = html("div", { class: "boundary" });
      this.canvas = html("canvas", { width: String(b.resolution), height: String(b.resolution) });
      this.context = this.canvas.getContext("2d");
      this.image = this.context.createImageData(b.resolution, b.resolution);
      const overlay = svg("svg", { viewBox: "0 0 300 300", class: "points" });
      const px = (v) => (300 * (v - b.x_low)) / (b.x_high - b.x_low);
      const py = (v) => 300 - (300 * (v - b.y_low)) / (b.y_high - b.y_low);
      const chosen = new Map(d.samples.map((s, k) => [s, k]));
      d.x.forEach((x, s) => {
        const cls = num(d.y[s][0]) >= 0.5 ? "class1" : "class0";
        const dot = svg("circle", { cx: px(num(x[0])), cy: py(num(x[1])), r: chosen.has(s) ? 4.5 : 3, class: cls });
        if (chosen.has(s)) {
          dot.classList.add("chosen");
          dot.addEventListener("click", () => {
            this.sample = chosen.get(s);
            this.select.value = String(this.sample);
            this.show(this.epoch);
          });
        }
        overlay.appendChild(dot);
      });
      this.marker = svg("circle", { r: 8, class: "current-sample" });
      this.pointAt = (s) => [px(num(d.x[s][0])), py(num(d.x[s][1]))];
      overlay.appendChild(this.marker);
      frame.append(this.canvas, overlay);
      side.append(
        html("div", { class: "panel-title" }, "network output a over the inputs; the colour changes side at a = 0.5"),
        frame,
      );
    }
    side.append(html("div", { class: "panel-title" }, `training loss (${d.cost}) by epoch`), this.buildLoss(), this.lossText);
    return side;
  }

  buildLoss() {
    const losses = this.data.losses.map(num);
    const W = 330;
    const H = 180;
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "loss", width: String(W), height: String(H) });
    this.lossText = html("div", { class: "loss-text" });
    if (!losses.length) {
      this.lossAt = null;
      return chart;
    }
    const log = losses.every((v) => v > 0);
    const f = (v) => (log ? Math.log(v) : v);
    const values = losses.map(f);
    const low = Math.min(...values);
    const high = Math.max(...values);
    const span = high > low ? high - low : 1;
    const x = (e) => 56 + ((W - 66) * (e - 1)) / Math.max(1, losses.length - 1);
    const y = (v) => 10 + ((H - 35) * (high - f(v))) / span;
    chart.appendChild(svg("line", { x1: 56, y1: H - 25, x2: W - 10, y2: H - 25, class: "axis" }));
    chart.appendChild(svg("line", { x1: 56, y1: 10, x2: 56, y2: H - 25, class: "axis" }));
    const points = losses.map((v, e) => `${x(e + 1).toFixed(2)},${y(v).toFixed(2)}`).join(" ");
    chart.appendChild(svg("polyline", { points, class: "curve" }));
    for (const [text, tx, ty, anchor] of [
      [fmt(Math.max(...losses)), 52, 14, "end"],
      [fmt(Math.min(...losses)), 52, H - 25, "end"],
      ["1", 56, H - 10, "middle"],
      [String(losses.length), W - 10, H - 10, "middle"],
      [log ? "epoch (loss on a log scale)" : "epoch", W / 2 + 20, H - 10, "middle"],
    ]) {
      const label = svg("text", { x: tx, y: ty, "text-anchor": anchor, class: "tick" });
      label.textContent = text;
      chart.appendChild(label);
    }
    this.lossMarker = svg("circle", { r: 5, class: "marker" });
    this.lossLine = svg("line", { y1: 10, y2: H - 25, class: "marker-line" });
    chart.append(this.lossLine, this.lossMarker);
    this.lossAt = (e) => [x(e), y(losses[e - 1])];
    return chart;
  }

  neuronRecord(l, j) {
    const base = this.epoch * this.parameters.length / this.snapshots;
    const i = this.neuronIndex(l, j);
    const at = (this.epoch * this.data.samples.length + this.sample) * this.neurons + i;
    const b = this.parameters[base + this.weightIndex(l, j, this.sizes[l])];
    return [
      `neuron [${l}][${j}] of layer ${l} (${this.data.layer_activations[l]}), epoch ${this.data.epochs[this.epoch]}`,
      `b[${l}][${j}] = ${String(b)}`,
      `a[${l}][${j}] = ${String(this.a[at])}`,
      `δ[${l}][${j}] = ∂C/∂z = ${String(this.delta[at])}`,
      `for sample ${this.data.samples[this.sample]}`,
    ];
  }

  get current() {
    return this.epoch;
  }

  get last() {
    return this.snapshots - 1;
  }

  key(event) {
    if (event.target === this.slider && event.key.startsWith("Arrow")) return; // the slider moves itself
    super.key(event);
  }

  /** Show snapshot `epoch`: its weights, the chosen sample's a and δ, its loss and its boundary. */
  show(epoch) {
    const d = this.data;
    this.epoch = Math.max(0, Math.min(this.snapshots - 1, epoch));
    const e = this.epoch;
    this.slider.value = String(e);
    this.root.dataset.epoch = String(d.epochs[e]);
    const P = this.parameters.length / this.snapshots;
    const params = this.parameters.subarray(e * P, (e + 1) * P);
    for (const { line, l, j, k } of this.edges) {
      const w = params[this.weightIndex(l, j, k)];
      line.dataset.exact = String(w);
      line.setAttribute("stroke", w < 0 ? this.style.line_negative : w > 0 ? this.style.line_positive : this.style.line_zero);
      const t = d.largest_weight > 0 && Number.isFinite(w) ? Math.min(Math.abs(w) / d.largest_weight, 1) : 0;
      line.setAttribute("stroke-width", (0.5 + 3.5 * t).toFixed(2));
    }
    const sample = d.samples[this.sample];
    this.inputs.forEach((box, k) => setValue(box.value, num(d.x[sample][k])));
    const offset = (e * d.samples.length + this.sample) * this.neurons;
    const deltas = this.delta.subarray(offset, offset + this.neurons);
    const largest = deltas.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
    this.units.forEach((unit, i) => {
      setValue(unit.a, this.a[offset + i]);
      setValue(unit.delta, deltas[i]);
      unit.rect.setAttribute("fill", signedFill(deltas[i], largest, this.style));
    });
    setValue(this.costValue, this.cost[e * d.samples.length + this.sample]);
    const epochText = e === 0 && d.epochs[0] === 0 ? "epoch 0 (before training)" : `after epoch ${d.epochs[e]}`;
    this.epochLabel.textContent = `${epochText} of ${d.epochs[this.snapshots - 1]}`;
    if (this.lossAt) {
      const at = d.epochs[e] >= 1 && d.epochs[e] <= d.losses.length ? this.lossAt(d.epochs[e]) : null;
      this.lossMarker.style.display = at ? "" : "none";
      this.lossLine.style.display = at ? "" : "none";
      if (at) {
        this.lossMarker.setAttribute("cx", at[0]);
        this.lossMarker.setAttribute("cy", at[1]);
        this.lossLine.setAttribute("x1", at[0]);
        this.lossLine.setAttribute("x2", at[0]);
        this.lossText.replaceChildren(`loss of epoch ${d.epochs[e]}: `, valueSpan(num(d.losses[d.epochs[e] - 1])));
      } else this.lossText.textContent = "before the first epoch: no loss yet";
    }
    if (this.canvas) this.paint(this.levels[e]);
    if (this.marker) {
      const [cx, cy] = this.pointAt(sample);
      this.marker.setAttribute("cx", cx);
      this.marker.setAttribute("cy", cy);
    }
  }

  /** The heatmap: level >= 128 (a >= the middle of the output's range) red, below blue. */
  paint(levels) {
    const pixels = this.image.data;
    const red = this.style.fill_class1;
    const blue = this.style.fill_class0;
    for (let i = 0; i < levels.length; i++) {
      const t = levels[i] / 255;
      const end = levels[i] >= 128 ? red : blue;
      const s = 0.1 + 0.9 * Math.abs(2 * t - 1);
      for (let c = 0; c < 3; c++) pixels[4 * i + c] = Math.round(255 + (end[c] - 255) * s);
      pixels[4 * i + 3] = 255;
    }
    this.context.putImageData(this.image, 0, 0);
  }
}
