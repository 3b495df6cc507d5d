/*
 * Dashboard behaviour (CSP: no inline script, so it lives here).
 *
 *   <script type="application/json" id="trend-data">  data of the trend chart
 *                                                      (Django's json_script)
 *   <canvas id="trend-chart">                          where Chart.js draws it
 *   <table class="js-sortable"> <th data-sort="number|text">
 *                                                      sortable by header; cells may
 *                                                      carry data-sort-value
 *
 * Without JavaScript the page still shows the figures: the chart's table of
 * figures and the unit table, unsorted.
 */
(function () {
  "use strict";

  // --- Trend chart ---------------------------------------------------------

  var COLOURS = {
    poor: "#c0392b",
    nearPoor: "#d68910",
    marker: "#6c757d",
  };

  // Draws a dashed vertical line and a label at each year where the standard changed.
  var standardChangeMarker = {
    id: "standardChangeMarker",
    afterDatasetsDraw: function (chart, args, options) {
      var changes = options.changes || [];
      var xScale = chart.scales.x;
      var area = chart.chartArea;
      var ctx = chart.ctx;
      changes.forEach(function (change) {
        var index = chart.data.labels.indexOf(String(change.year));
        if (index < 0) {
          return;
        }
        // Halfway between the last year of the old standard and the first of the new.
        var x = index > 0
          ? (xScale.getPixelForValue(index - 1) + xScale.getPixelForValue(index)) / 2
          : xScale.getPixelForValue(index);
        ctx.save();
        ctx.strokeStyle = COLOURS.marker;
        ctx.lineWidth = 1;
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = COLOURS.marker;
        ctx.font = "12px system-ui, sans-serif";
        ctx.textAlign = "left";
        ctx.textBaseline = "top";
        ctx.fillText(options.label + ": " + change.standard, x + 4, area.top + 2);
        ctx.restore();
      });
    },
  };

  function dataset(label, values, colour, style) {
    return Object.assign(
      {
        label: label,
        data: values,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: 2,
        pointRadius: 3,
        spanGaps: false,
        tension: 0,
      },
      style || {}
    );
  }

  function drawTrend() {
    var source = document.getElementById("trend-data");
    var canvas = document.getElementById("trend-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.years) {
      return;
    }
    var labels = data.years.map(String);
    var text = data.labels;
    // Do not draw the jump across a change of standard as a trend: dot that segment.
    var changeIndexes = (data.standard_changes || []).map(function (c) {
      return labels.indexOf(String(c.year));
    });
    var breakAtChange = {
      segment: {
        borderDash: function (ctx) {
          return changeIndexes.indexOf(ctx.p1DataIndex) >= 0 ? [2, 4] : undefined;
        },
      },
    };
    var target = { borderDash: [8, 4], borderWidth: 1.5, pointRadius: 0 };
    var projected = { borderDash: [2, 3], borderWidth: 2, pointRadius: 2, pointStyle: "rectRot" };

    var datasets = [
      dataset(text.poor, data.poor, COLOURS.poor, breakAtChange),
      dataset(text.near_poor, data.near_poor, COLOURS.nearPoor, breakAtChange),
    ];
    if (data.poor_target) {
      datasets.push(dataset(text.poor_target, data.poor_target, COLOURS.poor, target));
      datasets.push(
        dataset(text.near_poor_target, data.near_poor_target, COLOURS.nearPoor, target)
      );
    }
    if (data.poor_projection) {
      datasets.push(dataset(text.poor_projection, data.poor_projection, COLOURS.poor, projected));
      datasets.push(
        dataset(text.near_poor_projection, data.near_poor_projection, COLOURS.nearPoor, projected)
      );
    }

    var chart = new window.Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: datasets },
      plugins: [standardChangeMarker],
      options: {
        // No animation: a printed page shows the finished chart.
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: text.households } },
        },
        plugins: {
          // Legend entries drawn as lines, so that dashed targets and dotted projections show.
          legend: {
            position: "bottom",
            labels: { usePointStyle: true, pointStyle: "line", boxWidth: 28 },
          },
          standardChangeMarker: {
            changes: data.standard_changes || [],
            label: text.standard_change,
          },
          tooltip: {
            callbacks: {
              label: function (item) {
                if (item.raw === null || item.raw === undefined) {
                  return null;
                }
                return item.dataset.label + ": " + Math.round(item.raw);
              },
            },
          },
        },
      },
    });

    // Re-layout for the paper width before printing, and back afterwards.
    window.addEventListener("beforeprint", function () {
      chart.resize();
    });
    window.addEventListener("afterprint", function () {
      chart.resize();
    });
  }

  // --- Sortable tables -----------------------------------------------------

  function cellValue(row, column, numeric) {
    var cell = row.cells[column];
    if (!cell) {
      return numeric ? -Infinity : "";
    }
    var raw = cell.hasAttribute("data-sort-value")
      ? cell.getAttribute("data-sort-value")
      : cell.textContent.trim();
    if (!numeric) {
      return raw;
    }
    var value = parseFloat(raw);
    return isNaN(value) ? -Infinity : value;
  }

  function sortBy(table, header, column) {
    var numeric = header.getAttribute("data-sort") === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var collator = new Intl.Collator(document.documentElement.lang || undefined, {
      sensitivity: "base",
      numeric: true,
    });
    rows.sort(function (a, b) {
      var x = cellValue(a, column, numeric);
      var y = cellValue(b, column, numeric);
      var order = numeric ? x - y : collator.compare(x, y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
    table.querySelectorAll("th[aria-sort]").forEach(function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (header, column) {
      if (!header.hasAttribute("data-sort")) {
        return;
      }
      // A button inside the header: reachable with the keyboard, announced as such.
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (header.firstChild) {
        button.appendChild(header.firstChild);
      }
      var icon = document.createElement("i");
      icon.className = "bi bi-arrow-down-up sort-icon";
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      header.appendChild(button);
      button.addEventListener("click", function () {
        sortBy(table, header, column);
      });
    });
  }

  function init() {
    drawTrend();
    document.querySelectorAll("table.js-sortable").forEach(makeSortable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
