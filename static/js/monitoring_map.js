// The officers' map (ECharts, vendored): boundaries and values fetched from the server as JSON (no inline scripts
// under the CSP); choosing another metric or unit fetches only the values and recolours.
document.addEventListener("DOMContentLoaded", async () => {
  const el = document.getElementById("chart-map");
  if (!el) return;
  const metric = document.getElementById("map-metric");
  const by = document.getElementById("map-by");
  const shapeResponse = await fetch(el.dataset.shape, { credentials: "same-origin" });
  if (!shapeResponse.ok) {
    el.textContent = "—";
    return;
  }
  const shape = await shapeResponse.json();
  const names = Object.fromEntries(shape.features.map((f) => [f.properties.code, f.properties.name]));
  if (!document.body.contains(el)) return;
  echarts.registerMap("tidu-region", shape);
  const chart = echarts.init(el, null, { renderer: "svg" });

  async function draw() {
    const url = new URL(el.dataset.values, window.location.href);
    url.searchParams.set("metric", metric.value);
    if (by) url.searchParams.set("by", by.value);
    const response = await fetch(url, { credentials: "same-origin" });
    const payload = await response.json();
    if (chart.isDisposed()) return; // the officer left the page while the values were on their way
    const data = Object.entries(payload.values).map(([code, value]) => ({ name: code, value }));
    const shown = data.map((d) => d.value).filter((v) => v !== null);
    chart.setOption({
      animation: false, // a recolour is instant; no animation frame outlives a page the officer leaves
      tooltip: {
        trigger: "item",
        formatter: (p) => `${names[p.name] || p.name}<br>${payload.label}：${p.value === undefined || p.value === null || Number.isNaN(p.value) ? "—" : p.value}`,
      },
      visualMap: {
        min: 0, max: Math.max(1, ...shown), left: "left", bottom: 10, calculable: true,
        inRange: { color: ["#e8f1fb", "#6baed6", "#08306b"] }, text: [payload.label, ""],
      },
      series: [{
        type: "map", map: "tidu-region", nameProperty: "code", roam: true, data,
        emphasis: { label: { show: true, formatter: (p) => names[p.name] || p.name } },
        itemStyle: { areaColor: "#d9d9d9", borderColor: "#ffffff" },
      }],
    });
    el.dataset.drawn = payload.metric;
  }

  await draw();
  metric.addEventListener("change", draw);
  if (by) by.addEventListener("change", draw);
  window.tiduChart(el, chart); // resized and disposed by the one rule (chart_lifecycle.js)
});
