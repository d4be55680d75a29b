// Result charts (ECharts, vendored). Data comes from a json_script block; no inline scripts under the CSP.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const data = JSON.parse(document.getElementById(el.dataset.source).textContent);
    const chart = echarts.init(el, null, { renderer: "svg" });
    if (el.dataset.chart === "radar") {
      const d = data.radar;
      chart.setOption({
        tooltip: {},
        radar: { indicator: d.names.map((name) => ({ name, max: 100 })), radius: "65%" },
        series: [{ type: "radar", areaStyle: { opacity: 0.2 }, data: [{ value: d.values.map((v) => v ?? 0), name: "得分率" }] }],
      });
    } else {
      const d = data.bars;
      chart.setOption({
        grid: { left: 110, right: 30, top: 10, bottom: 30 },
        tooltip: {},
        xAxis: { type: "value", max: 100 },
        yAxis: { type: "category", data: d.names, inverse: true, axisLabel: { width: 100, overflow: "truncate" } },
        series: [{ type: "bar", data: d.values, itemStyle: { color: "#0b4f9c" }, label: { show: true, position: "right" } }],
      });
      el.style.height = `${Math.max(360, d.names.length * 26 + 40)}px`;
      chart.resize();
    }
    window.tiduChart(el, chart); // resized and disposed by the one rule (chart_lifecycle.js)
  });
});
