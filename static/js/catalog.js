// Resource pool pages: the scenario graph (ECharts, vendored) and filters that submit on change.
// Data comes from a json_script block; no inline scripts under the CSP.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  const el = document.querySelector("[data-graph]");
  if (!el || typeof echarts === "undefined") return;
  const data = JSON.parse(document.getElementById(el.dataset.graph).textContent);
  const sizes = [28, 14, 10];
  el.style.height = "720px"; // the shared .chart height is for small charts
  const chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { formatter: (p) => (p.dataType === "node" ? p.data.name : "") },
    legend: [{ top: 0, data: data.categories.map((c) => c.name) }],
    series: [
      {
        type: "graph",
        layout: "force",
        top: 40,
        roam: true,
        labelLayout: { hideOverlap: true },
        draggable: true,
        categories: data.categories,
        data: data.nodes.map((n) => ({
          ...n,
          symbolSize: sizes[n.category] + Math.min(n.value, 12),
          label: { show: n.category < 2 },
        })),
        links: data.links,
        // Laid out once before drawing, not animated: the animated layout redraws labels on every frame, which
        // is slow on a county office's old PC and raced label placement in a loaded browser (an uncaught error).
        force: { repulsion: 120, edgeLength: [30, 70], gravity: 0.2, layoutAnimation: false },
        lineStyle: { opacity: 0.5, curveness: 0.1 },
        emphasis: { focus: "adjacency" },
      },
    ],
  });
  window.tiduChart(el, chart); // resized and disposed by the one rule (chart_lifecycle.js)
});
