// microgradnet explorer: read the embedded data, build each view, route the keyboard to the visible one.
"use strict";

(function start() {
  const page = JSON.parse(document.getElementById("explorer-data").textContent);
  const views = [];
  const tabs = document.getElementById("tabs");
  const main = document.getElementById("views");
  page.views.forEach((data, i) => {
    const section = html("section", { class: `view ${data.kind}-view`, id: `view${i}`, "data-kind": data.kind });
    if (page.views.length > 1) section.appendChild(html("h2", {}, data.title));
    main.appendChild(section);
    const View = data.kind === "graph" ? GraphView : NetworkView;
    views.push(new View(section, data, page.style));
    if (page.views.length > 1) {
      const tab = button(data.title, `show: ${data.title}`, () => select(i));
      tab.dataset.view = String(i);
      tabs.appendChild(tab);
    }
  });
  let current = 0;
  function select(i) {
    current = i;
    views.forEach((view, k) => {
      view.root.hidden = k !== i;
      if (k !== i && view.timer !== null) view.pause();
    });
    for (const tab of tabs.children) tab.classList.toggle("active", tab.dataset.view === String(i));
  }
  select(0);
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLSelectElement || event.altKey || event.ctrlKey || event.metaKey) return;
    views[current].key(event);
  });
  document.body.dataset.ready = "true";
})();
