// Monitoring charts (ECharts, vendored). Data comes from a json_script block; no inline scripts under the CSP.
// Every chart also has its table beside it (the <details> under it) and an XLSX export.
document.addEventListener("DOMContentLoaded", () => {
  const figures = JSON.parse(document.getElementById("figure-data").textContent);
  const palette = ["#9aa5b1", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"];
  document.querySelectorAll("[data-figure]").forEach((el) => {
    const f = figures[Number(el.dataset.figure)];
    const chart = echarts.init(el, null, { renderer: "svg" });
    if (f.kind === "heat") {
      const regions = f.series.map((s) => s.name);
      const data = [];
      f.series.forEach((s, x) => s.data.forEach((v, y) => data.push([x, y, v])));
      const values = data.map((d) => d[2]).filter((v) => v !== null);
      chart.setOption({
        animation: false,
        tooltip: { formatter: (p) => `${f.categories[p.value[1]]} · ${regions[p.value[0]]}<br>${p.value[2] ?? "—"}%` },
        grid: { left: 150, right: 20, top: 10, bottom: 70 },
        xAxis: { type: "category", data: regions, axisLabel: { rotate: 40 } },
        yAxis: { type: "category", data: f.categories, axisLabel: { width: 140, overflow: "truncate" } },
        visualMap: { min: 0, max: Math.max(100, ...values), calculable: true, orient: "horizontal", left: "center", bottom: 0, show: false },
        series: [{ type: "heatmap", data, label: { show: true, formatter: (p) => (p.value[2] === null ? "" : Math.round(p.value[2])) } }],
      });
      el.style.height = `${Math.max(320, f.categories.length * 26 + 100)}px`;
      chart.resize();
    } else {
      const option = {
        animation: false, // dashboards are read, not watched; no animation frame outlives a page being left
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { type: "scroll", top: 0 },
        grid: { left: 90, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: f.categories, inverse: true, axisLabel: { width: 80, overflow: "truncate" } },
        series: f.series.map((s) => ({ name: s.name, type: "bar", stack: f.kind === "stacked" ? "all" : undefined, data: s.data })),
      };
      if (f.kind === "stacked") option.color = palette; // levels from light to dark; grouped bars keep the theme's colours
      chart.setOption(option);
      el.style.height = `${Math.max(320, f.categories.length * (f.kind === "stacked" ? 26 : 8 * f.series.length + 10) + 80)}px`;
      chart.resize();
    }
    window.tiduChart(el, chart); // resized and disposed by the one rule (chart_lifecycle.js)
  });
});
