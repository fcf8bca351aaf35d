// The results pages' charts, drawn with the vendored Chart.js (global `Chart`). Each chart is a
// <canvas data-chart="TYPE" data-chart-source="ID"> whose data is the JSON of <script type="application/json" id="ID">
// (Django's json_script: no inline script runs, the CSP allows only our files). The same numbers are in the table
// beside each chart; a hidden figure (null) is a gap. Kinds: marks (stacked bars), tasks (lines), histogram (bars
// with the mark boundaries), groups (bars), funnel (schools against the limits).
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var Chart = window.Chart;
  var MARK_COLOURS = { 2: "#dc3545", 3: "#fd7e14", 4: "#20c997", 5: "#198754" };
  var SERIES_COLOURS = ["#0d6efd", "#6f42c1", "#d63384", "#fd7e14", "#20c997", "#6c757d", "#0dcaf0", "#198754"];
  var MUNICIPALITY_COLOUR = "#495057";

  Chart.defaults.animation = false; // printed and read at once; no motion
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false; // the .chart-box gives the height

  function percentAxis(title) {
    return { min: 0, max: 100, title: { display: Boolean(title), text: title || "" }, ticks: { callback: percentTick } };
  }

  function percentTick(value) {
    return value + " %";
  }

  function percentLabel(context) {
    var value = context.chart.options.indexAxis === "y" ? context.parsed.x : context.parsed.y;
    return context.dataset.label + ": " + String(value).replace(".", ",") + " %";
  }

  function seriesColour(index, label, municipalityLabel) {
    return label === municipalityLabel ? MUNICIPALITY_COLOUR : SERIES_COLOURS[index % SERIES_COLOURS.length];
  }

  function title(data) {
    return { display: Boolean(data.title), text: data.title };
  }

  // The mark boundaries of the histogram: a dashed line before the bar of each boundary's lowest score.
  var boundaryLines = {
    id: "vprBoundaries",
    afterDatasetsDraw: function (chart, _args, options) {
      var boundaries = options.boundaries || [];
      var x = chart.scales.x;
      var area = chart.chartArea;
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#dc3545";
      ctx.fillStyle = "#dc3545";
      ctx.lineWidth = 2;
      ctx.setLineDash([5, 4]);
      ctx.font = "12px " + Chart.defaults.font.family;
      ctx.textAlign = "left";
      boundaries.forEach(function (boundary) {
        var index = options.labels.indexOf(String(boundary.score));
        if (index < 0) {
          return;
        }
        var centre = x.getPixelForValue(index);
        var half = index > 0 ? (centre - x.getPixelForValue(index - 1)) / 2 : 0;
        var left = centre - half;
        ctx.beginPath();
        ctx.moveTo(left, area.top);
        ctx.lineTo(left, area.bottom);
        ctx.stroke();
        ctx.fillText("«" + boundary.mark + "»", left + 3, area.top + 12);
      });
      ctx.restore();
    },
  };

  function markOf(score, boundaries) {
    var mark = "2";
    boundaries.forEach(function (boundary) {
      if (score >= boundary.score) {
        mark = boundary.mark;
      }
    });
    return mark;
  }

  var builders = {
    marks: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: data.series.map(function (series) {
            return { label: series.label, data: series.values, backgroundColor: MARK_COLOURS[series.mark] };
          }),
        },
        options: {
          indexAxis: "y",
          scales: { x: Object.assign(percentAxis(), { stacked: true }), y: { stacked: true } },
          plugins: { title: title(data), tooltip: { callbacks: { label: percentLabel } } },
        },
      };
    },
    tasks: function (data) {
      return {
        type: "line",
        data: {
          labels: data.labels,
          datasets: data.series.map(function (series, index) {
            var colour = seriesColour(index, series.label, data.reference);
            return {
              label: series.label,
              data: series.values,
              borderColor: colour,
              backgroundColor: colour,
              borderDash: series.label === data.reference ? [6, 4] : [],
              spanGaps: false,
              tension: 0,
            };
          }),
        },
        options: {
          scales: { y: percentAxis() },
          plugins: { title: title(data), tooltip: { callbacks: { label: percentLabel } } },
        },
      };
    },
    histogram: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [{
            label: data.y_label,
            data: data.values,
            backgroundColor: data.labels.map(function (score) {
              return MARK_COLOURS[markOf(Number(score), data.boundaries)];
            }),
            categoryPercentage: 1.0,
            barPercentage: 0.9,
          }],
        },
        options: {
          scales: {
            x: { title: { display: true, text: data.x_label } },
            y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: data.y_label } },
          },
          plugins: {
            title: title(data),
            legend: { display: false },
            vprBoundaries: { boundaries: data.boundaries, labels: data.labels },
          },
        },
        plugins: [boundaryLines],
      };
    },
    groups: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: data.series.map(function (series, index) {
            return {
              label: series.label,
              data: series.values,
              backgroundColor: seriesColour(index, series.label, data.reference),
            };
          }),
        },
        options: {
          scales: { y: percentAxis() },
          plugins: { title: title(data), tooltip: { callbacks: { label: percentLabel } } },
        },
      };
    },
    funnel: function (data) {
      function line(label, key, colour, dash) {
        return {
          type: "line",
          label: label,
          data: data.curve.map(function (row) { return { x: row[0], y: row[key] }; }),
          borderColor: colour,
          borderWidth: 1.5,
          borderDash: dash,
          pointRadius: 0,
          fill: false,
          tension: 0,
        };
      }
      // compact rows for a region's hundreds of schools (reports.views.funnel_payload):
      // curve [n, inner lower, inner upper, outer lower, outer upper], points [code, participants, share]
      var p0 = data.curve.length ? [
        { x: data.curve[0][0], y: data.p0 }, { x: data.curve[data.curve.length - 1][0], y: data.p0 },
      ] : [];
      return {
        type: "scatter",
        data: {
          datasets: [
            {
              type: "scatter",
              label: data.points_label,
              data: data.points.map(function (point) { return { x: point[1], y: point[2], code: point[0] }; }),
              backgroundColor: data.points.map(function (point) {
                // the schools outside the limits come once by code beside the points
                if (data.outside_outer.indexOf(point[0]) >= 0) { return "#dc3545"; }
                return data.outside_inner.indexOf(point[0]) >= 0 ? "#fd7e14" : "#0d6efd";
              }),
              pointRadius: 5,
              pointHoverRadius: 7,
            },
            { type: "line", label: data.p0_label, data: p0, borderColor: MUNICIPALITY_COLOUR, borderWidth: 1.5, pointRadius: 0 },
            line(data.inner_label, 2, "#fd7e14", [6, 4]),
            line(data.inner_label, 1, "#fd7e14", [6, 4]),
            line(data.outer_label, 4, "#dc3545", [2, 3]),
            line(data.outer_label, 3, "#dc3545", [2, 3]),
          ],
        },
        options: {
          scales: {
            x: { type: "linear", beginAtZero: true, title: { display: true, text: data.x_label } },
            y: percentAxis(data.y_label),
          },
          plugins: {
            title: title(data),
            legend: {
              labels: {
                // the lower and upper line of a limit share one legend entry
                filter: function (item, chartData) {
                  return chartData.datasets.findIndex(function (set) { return set.label === item.text; }) === item.datasetIndex;
                },
              },
            },
            tooltip: {
              callbacks: {
                label: function (context) {
                  var raw = context.raw;
                  if (raw.code) {
                    return raw.code + ": n = " + raw.x + ", " + String(raw.y).replace(".", ",") + " %";
                  }
                  return context.dataset.label + ": " + raw.y.toFixed(1).replace(".", ",") + " %";
                },
              },
            },
          },
        },
      };
    },
  };

  var drawn = [];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    var build = builders[canvas.getAttribute("data-chart")];
    if (!source || !build) {
      return;
    }
    drawn.push(new Chart(canvas, build(JSON.parse(source.textContent))));
  });

  // Print: redraw at the printed size (the .chart-box's print height), and back on screen afterwards.
  function resizeAll() {
    drawn.forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
