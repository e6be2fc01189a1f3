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
  // Draw chart `id` from the JSON of `id + "-data"`: the common frame, the axes and series from `build`.
  function chart(id, build) {
    var el = document.getElementById(id);
    var data = read(id + "-data");
    if (!el || !data || !window.echarts) { return; }
    var option = build(data);
    option.animation = false;
    option.tooltip = { trigger: "axis" };
    option.legend = { top: 0 };
    option.grid = { left: 40, right: 20, top: 40, bottom: 30 };
    draw(el, option);
  }
  function trend() {
    chart("score-trend", function (data) {
      return {
        xAxis: { type: "category", data: data.days },
        yAxis: { type: "value", min: 0, max: 5 },
        series: data.series.map(function (s, i) {
          return { name: s.name, type: "line", data: s.data, connectNulls: false,
                   lineStyle: { width: i === 0 ? 3 : 1.5 }, showSymbol: data.days.length < 20 };
        })
      };
    });
  }
  function histogram() {
    chart("score-histogram", function (data) {
      return {
        xAxis: { type: "category", data: data.bins },
        yAxis: { type: "value", minInterval: 1 },
        series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      };
    });
  }
  document.addEventListener("DOMContentLoaded", function () { trend(); histogram(); });
})();
