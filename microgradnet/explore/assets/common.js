// microgradnet explorer: helpers shared by the graph view and the network view.
// Every number shown comes from Python (embedded as JSON); this file only decodes and formats them.
"use strict";

const NOT_FINITE = { nan: NaN, inf: Infinity, "-inf": -Infinity };

/** A number as Python embedded it: a JSON number, or "nan", "inf", "-inf". */
function num(value) {
  return typeof value === "string" ? NOT_FINITE[value] : value;
}

/** The doubles of a base64 string of little-endian IEEE 754 float64s (Python's struct "<d"). */
function float64s(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
  return out;
}

/** The bytes of a base64 string. */
function bytes(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * x to 4 significant digits exactly as Python's f"{x + 0.0:.4g}" writes it (microgradnet's
 * `render.style.number`): 0.1235, -3, 1.5e-05, nan, inf; ties round to even, as Python does.
 */
function fmt(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  const sign = x < 0 ? "-" : "";
  // 40 digits of the exact decimal value: enough to tell a tie from a near-tie for any double.
  const [mantissa, power] = Math.abs(x).toExponential(40).split("e");
  const digits = mantissa.replace(".", "");
  let exponent = parseInt(power, 10);
  let head = parseInt(digits.slice(0, 4), 10);
  const rest = digits.slice(4);
  const tie = rest[0] === "5" && !/[1-9]/.test(rest.slice(1));
  if (rest[0] > "5" || (rest[0] === "5" && (!tie || head % 2 === 1))) head += 1;
  if (head === 10000) {
    head = 1000;
    exponent += 1;
  }
  const kept = String(head);
  if (exponent < -4 || exponent >= 4) {
    const m = (kept[0] + "." + kept.slice(1)).replace(/\.?0+$/, "");
    const e = Math.abs(exponent) < 10 ? "0" + Math.abs(exponent) : String(Math.abs(exponent));
    return `${sign}${m}e${exponent < 0 ? "-" : "+"}${e}`;
  }
  let fixed;
  if (exponent >= 3) fixed = kept;
  else if (exponent >= 0) fixed = kept.slice(0, exponent + 1) + "." + kept.slice(exponent + 1);
  else fixed = "0." + "0".repeat(-exponent - 1) + kept;
  if (fixed.includes(".")) fixed = fixed.replace(/\.?0+$/, "");
  return sign + fixed;
}

/** A <span class="value"> showing x to 4 digits, holding its exact value in data-exact. */
function valueSpan(x) {
  const span = document.createElement("span");
  setValue(span, x);
  return span;
}

/** Show x in `element` (4 digits) and keep its exact value (shortest round-trip) in data-exact. */
function setValue(element, x) {
  element.classList.add("value");
  element.textContent = fmt(x);
  element.dataset.exact = String(x);
}

/** An element of the SVG namespace with these attributes. */
function svg(tag, attributes = {}) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

/** An HTML element with these attributes and text. */
function html(tag, attributes = {}, text = "") {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text) element.textContent = text;
  return element;
}

/** A colour between white and `end` ([r, g, b]) at intensity t in [0, 1]. */
function mix(end, t) {
  const c = end.map((e) => Math.round(255 + (e - 255) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * The fill of a signed value on a scale ending at `largest`, as `render.style.signed_fill` draws
 * it: red below 0, blue above, white at 0, intensity sqrt(|v| / largest); grey when not finite.
 */
function signedFill(value, largest, style) {
  if (!Number.isFinite(value)) return style.not_finite;
  if (!(largest > 0) || value === 0) return "#ffffff";
  const t = Math.sqrt(Math.min(Math.abs(value) / largest, 1));
  return mix(value < 0 ? style.fill_negative : style.fill_positive, t);
}

/** A button that runs `action` when clicked. */
function button(label, title, action) {
  const b = html("button", { type: "button", title }, label);
  b.addEventListener("click", action);
  return b;
}

/** A floating box that shows a record (lines of text) next to the mouse. */
class Tooltip {
  constructor(parent) {
    this.box = html("div", { class: "tooltip", role: "tooltip" });
    this.box.hidden = true;
    parent.appendChild(this.box);
  }
  show(event, lines) {
    this.box.replaceChildren(...lines.map((line) => html("div", {}, line)));
    this.box.hidden = false;
    this.box.style.left = `${event.clientX + 14}px`;
    this.box.style.top = `${event.clientY + 14}px`;
  }
  hide() {
    this.box.hidden = true;
  }
}

/**
 * Play, pause and keys for a view that shows positions 0 .. `last` (steps, or epochs): a subclass
 * defines `current`, `last`, `show(position)` and `playButton`.
 */
class Player {
  constructor(interval) {
    this.interval = interval; // ms between positions while playing
    this.timer = null;
  }

  toggle() {
    if (this.timer !== null) return this.pause();
    if (this.current >= this.last) this.show(0);
    this.timer = setInterval(() => {
      if (this.current >= this.last) this.pause();
      else this.show(this.current + 1);
    }, this.interval);
    this.playButton.textContent = "⏸ pause";
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    this.playButton.textContent = "▶ play";
  }

  /** → and ← one position, Home and End to the ends, space plays or pauses. */
  key(event) {
    const moves = {
      ArrowRight: () => this.show(this.current + 1),
      ArrowLeft: () => this.show(this.current - 1),
      Home: () => this.show(0),
      End: () => this.show(this.last),
      " ": () => this.toggle(),
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    moves[event.key]();
  }
}
