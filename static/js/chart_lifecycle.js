// One rule for every ECharts chart on Tidu's pages: resize only when the chart's box really changed to a non-zero
// size, at most once per frame, never after the chart was disposed, and dispose it when the page is left.
// Resizing on every window "resize" event re-laid charts out at transient sizes (a full-page screenshot, a page
// being left): ECharts' map view and force graph then threw "Cannot read properties of null" in loaded browsers.
window.tiduChart = function tiduChart(el, chart) {
  let width = el.clientWidth;
  let height = el.clientHeight;
  let pending = false;
  const observer = new ResizeObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const w = el.clientWidth;
      const h = el.clientHeight;
      if (chart.isDisposed() || w === 0 || h === 0 || (w === width && h === height)) return;
      width = w;
      height = h;
      chart.resize();
    });
  });
  observer.observe(el);
  window.addEventListener("pagehide", () => {
    observer.disconnect();
    if (!chart.isDisposed()) chart.dispose();
  });
  return chart;
};
