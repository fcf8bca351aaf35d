// Trend charts (reports/templates/reports/trends/_charts.html): stacked bars of the marks' shares per campaign and
// a line of the mean primary score, drawn from the page's json_script data. The tables beside them hold the same
// numbers; a hidden figure (a small group in a department view) is null here and drawn as a gap.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  var MARK_COLOURS = { 2: "#dc3545", 3: "#fd7e14", 4: "#0d9488", 5: "#198754" };
  var LINE_COLOURS = ["#0d6efd", "#6c757d", "#6f42c1", "#d63384"];
  var DASHES = [[], [6, 4], [2, 3], [8, 3, 2, 3]];

  function number(value) {
    return value === null || value === undefined ? "—" : value.toLocaleString("ru-RU", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }

  function marksChart(canvas, trend) {
    var series = trend.series[Number(canvas.dataset.series || 0)];
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: trend.labels,
        datasets: trend.marks.map(function (mark) {
          return {
            label: "«" + mark + "»",
            data: series.shares[mark],
            backgroundColor: MARK_COLOURS[mark],
            borderColor: "#ffffff",
            borderWidth: 1,
          };
        }),
      },
      options: {
        animation: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, min: 0, max: 100, title: { display: true, text: trend.text.share } },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (item) {
                var mark = trend.marks[item.datasetIndex];
                var count = series.counts[mark][item.dataIndex];
                return item.dataset.label + ": " + number(item.raw) + " % (" + count + ")";
              },
            },
          },
        },
      },
    });
  }

  function meansChart(canvas, trend) {
    return new Chart(canvas, {
      type: "line",
      data: {
        labels: trend.labels,
        datasets: trend.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.means,
            borderColor: LINE_COLOURS[index % LINE_COLOURS.length],
            backgroundColor: LINE_COLOURS[index % LINE_COLOURS.length],
            borderDash: DASHES[index % DASHES.length],
            pointStyle: ["circle", "rect", "triangle", "rectRot"][index % 4],
            pointRadius: 4,
            spanGaps: false,
          };
        }),
      },
      options: {
        animation: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: trend.text.mean } } },
        plugins: {
          legend: { labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + number(item.raw);
              },
            },
          },
        },
      },
    });
  }

  var DRAW = { marks: marksChart, means: meansChart };
  var cache = {};

  document.querySelectorAll("canvas[data-trend-chart]").forEach(function (canvas) {
    var source = canvas.dataset.source;
    if (!(source in cache)) {
      cache[source] = JSON.parse(document.getElementById(source).textContent);
    }
    var draw = DRAW[canvas.dataset.trendChart];
    if (draw) {
      canvas.chart = draw(canvas, cache[source]);
    }
  });

  // Printing: the charts take the width of the printed page, not of the screen.
  window.addEventListener("beforeprint", function () {
    Object.values(Chart.instances).forEach(function (chart) {
      chart.resize();
    });
  });
})();
