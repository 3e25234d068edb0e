/* The dashboard's charts: month trends and the unit ranking, drawn with the vendored ECharts
   from the JSON the page renders with json_script. Clicking a point opens the cases behind it. */
(function () {
  "use strict";
  var FONT = '"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif';
  var charts = [];

  function open(urls) {
    return function (params) {
      var url = urls[params.dataIndex];
      if (url) { window.location.href = url; }
    };
  }

  function drawTrend(el, trend) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var series = trend.series.map(function (s) {
      return { name: s.name, type: "line", yAxisIndex: 0, data: s.data, connectNulls: false,
               symbolSize: 7, emphasis: { focus: "series" } };
    });
    series.unshift({ name: trend.receivedName, type: "bar", yAxisIndex: 1, data: trend.received,
                     itemStyle: { color: "#d9e2ec" }, barMaxWidth: 28 });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v; } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 48, top: 48, bottom: 32 },
      xAxis: { type: "category", data: trend.labels, axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: "value", name: trend.rateName, min: 0, max: 100 },
        { type: "value", name: trend.receivedName, splitLine: { show: false } }
      ],
      series: series
    });
    chart.on("click", open(trend.urls));
    return chart;
  }

  function drawRanking(el, ranking) {
    var count = ranking.labels.length;
    el.style.height = Math.max(160, 28 * count + 60) + "px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return v == null ? "—" : v; } },
      grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      // The best unit on top: ECharts draws a category axis from the bottom up.
      yAxis: { type: "category", data: ranking.labels.slice().reverse(),
               axisLabel: { width: 120, overflow: "truncate" } },
      series: [{ name: ranking.name, type: "bar", data: ranking.scores.slice().reverse(),
                 itemStyle: { color: "#b42318" }, barMaxWidth: 18,
                 label: { show: true, position: "right",
                          formatter: function (p) { return p.value == null ? "—" : p.value; } } }]
    });
    chart.on("click", open(ranking.urls.slice().reverse()));
    return chart;
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var trend = document.getElementById("trend-chart");
    var ranking = document.getElementById("ranking-chart");
    if (trend) { charts.push(drawTrend(trend, data.trend)); }
    if (ranking && data.ranking.labels.length) { charts.push(drawRanking(ranking, data.ranking)); }
    else if (ranking) { ranking.hidden = true; }
    document.body.dataset.chartsReady = "1";
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
