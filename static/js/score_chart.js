/* Experience score charts (Apache ECharts from static/vendor/echarts). Data comes from a
   <script type="application/json"> written by json_script: no inline script (CSP). */
(function () {
  "use strict";
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function draw(el, option) {
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    // Marked once ECharts has rendered a frame (tests and monitoring look for it).
    chart.on("rendered", function () { el.setAttribute("data-chart-drawn", "1"); });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function trend() {
    var el = document.getElementById("score-trend");
    var data = read("score-trend-data");
    if (!el || !data || !window.echarts) { return; }
    draw(el, {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.days },
      yAxis: { type: "value", min: 0, max: 5 },
      series: data.series.map(function (s, i) {
        return { name: s.name, type: "line", data: s.data, connectNulls: false,
                 lineStyle: { width: i === 0 ? 3 : 1.5 }, showSymbol: data.days.length < 20 };
      })
    });
  }
  function histogram() {
    var el = document.getElementById("score-histogram");
    var data = read("score-histogram-data");
    if (!el || !data || !window.echarts) { return; }
    draw(el, {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.bins },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
    });
  }
  document.addEventListener("DOMContentLoaded", function () { trend(); histogram(); });
})();
