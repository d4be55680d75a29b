// Machine and order Gantt charts of a scheduling job (scheduling/job.html): one bar per operation on a time axis.
// Data: {machines, orders, bars: [machineIndex, orderIndex, startMs, endMs, op, order, machine, late]}.
document.addEventListener("DOMContentLoaded", () => {
  const node = document.getElementById("gantt-data");
  if (!node || !window.echarts) return;
  const data = JSON.parse(node.textContent);
  const palette = ["#2f6fb0", "#3aa17e", "#d08a2c", "#8a5cc2", "#c2577a", "#4a9cc2", "#7d8c2e", "#b4643c"];
  const fmt = (ms) => {
    const d = new Date(ms);
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getUTCMonth() + 1}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
  };
  function draw(id, categories, rowOf, colourOf) {
    const el = document.getElementById(id);
    if (!el) return;
    el.style.height = `${Math.max(240, (categories.length + 3) * 28)}px`;
    const chart = window.tiduChart(el, window.echarts.init(el));
    chart.setOption({
      animation: false,
      useUTC: true,
      grid: { left: 90, right: 20, top: 10, bottom: 50 },
      tooltip: {
        formatter: (p) => `${p.value[4]} · ${p.value[6]}<br>${fmt(p.value[2])} – ${fmt(p.value[3])}` +
          (p.value[7] ? "<br>⚠" : ""),
      },
      dataZoom: [{ type: "slider", xAxisIndex: 0, height: 18, bottom: 8 }, { type: "inside", xAxisIndex: 0 }],
      xAxis: { type: "time", axisLabel: { formatter: (v) => fmt(v) } },
      yAxis: { type: "category", data: categories, inverse: true },
      series: [{
        type: "custom",
        encode: { x: [2, 3], y: rowOf },
        data: data.bars,
        renderItem: (params, api) => {
          const row = api.value(rowOf);
          const start = api.coord([api.value(2), row]);
          const end = api.coord([api.value(3), row]);
          const h = api.size([0, 1])[1] * 0.6;
          const shape = window.echarts.graphic.clipRectByRect(
            { x: start[0], y: start[1] - h / 2, width: Math.max(end[0] - start[0], 1), height: h },
            { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height },
          );
          const bar = data.bars[params.dataIndex];
          return shape && {
            type: "rect", shape,
            style: { fill: colourOf(bar), stroke: bar[7] ? "#c0392b" : "#fff", lineWidth: bar[7] ? 2 : 1 },
          };
        },
      }],
    });
  }
  draw("gantt-machines", data.machines, 0, (bar) => palette[bar[1] % palette.length]);
  draw("gantt-orders", data.orders, 1, (bar) => palette[bar[0] % palette.length]);
});
