#include "loadgen/report.h"

#include <cstdio>
#include <set>

#include "core/markup.h"
#include "web/chart_page.h"

namespace onair::loadgen {

namespace {

using nlohmann::json;

std::string Number(const json& v, int decimals) {
  if (!v.is_number()) return "";
  char out[64];
  std::snprintf(out, sizeof(out), "%.*f", decimals, v.get<double>());
  return out;
}

constexpr const char* kCss = R"CSS(
body { font: 14px system-ui, sans-serif; margin: 20px; color: #111; }
table { border-collapse: collapse; margin: 8px 0 20px; }
td, th { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
th { background: #f3f4f6; }
.chart { margin: 12px 0; }
.plan { font-family: monospace; white-space: pre-wrap; }
)CSS";

constexpr const char* kScript = R"JS(
const data = JSON.parse(document.getElementById('data').textContent);
const cols = data.seconds_columns, rows = data.seconds;
const col = name => { const k = cols.indexOf(name); return rows.map(r => k < 0 ? null : r[k]); };
const xs = rows.map((_, i) => i);
const any = values => values.some(v => v > 0);
const replay = any(col('sent'));
const charts = [
  ['Sessions running', [['running', col('running')]]],
  ...(replay ? [['Requests per second', [['due', col('scheduled')], ['sent', col('sent')],
                                         ['answered', col('answered')], ['shed', col('shed')]]]]
             : [['Play starts per second', [['due', col('scheduled')], ['sent', col('play_sent')],
                                            ['answered', col('play_ok')], ['shed', col('shed')]]]]),
  ['Errors per second', [['errors', col('errors')]]],
  ['Segments per second', [['segments', col('segments')]]],
  ['Received (MB/s)', [['MB/s', col('bytes').map(v => v / 1e6)]]],
].filter(([, series]) => series.some(([, v]) => any(v)));
onairCharts(charts, xs, {
  x: {label: 's'},
  uplot: {scales: {x: {time: false}}, axes: [{label: 'second of the run'}, {}]},
});
)JS";

}  // namespace

std::string ReportHtml(const json& r, const std::string& title) {
  std::string h = web::ChartPageHead(title, kCss);
  h += "<h1>" + MarkupEscape(title) + "</h1>\n";
  if (r.contains("plan") && r["plan"].is_string()) {
    h += "<p class=\"plan\">" + MarkupEscape(r["plan"].get<std::string>()) + "</p>\n";
  }
  h += "<p>Ran " + Number(r.value("elapsed_s", json(0.0)), 1) + " s.</p>\n";
  h += "<h2>Totals</h2>\n<table id=\"totals\">\n";
  // A replay's columns or a crowd's, not both; each figure once.
  const json totals = r.value("totals", json::object());
  const bool replay = totals.is_object() && totals.value("sent", json(0)).is_number() &&
                      totals.value("sent", json(0)).get<double>() > 0;
  const std::set<std::string> crowd_only = {"play_sent", "play_ok", "shed_no_wait", "started"};
  const std::set<std::string> replay_only = {"sent", "answered"};
  std::set<std::string> shown;
  for (const char* part : {"totals", "counts"}) {
    if (!r.contains(part) || !r[part].is_object()) continue;
    for (const auto& [k, v] : r[part].items()) {
      if ((replay ? crowd_only : replay_only).count(k) || !shown.insert(k).second) continue;
      h += "<tr><td>" + MarkupEscape(k) + "</td><td>" + Number(v, 0) + "</td></tr>\n";
    }
  }
  h += "</table>\n<h2>Latency by request kind (ms, from when each request was due)</h2>\n";
  h += "<table id=\"latency\"><tr><th>request</th><th>count</th><th>p50</th><th>p90</th>"
       "<th>p99</th><th>p99.9</th><th>max</th></tr>\n";
  if (r.contains("latency_ms") && r["latency_ms"].is_object()) {
    for (const auto& [kind, q] : r["latency_ms"].items()) {
      h += "<tr><td>" + MarkupEscape(kind) + "</td><td>" + Number(q.value("count", json(0)), 0) +
           "</td>";
      for (const char* k : {"p50", "p90", "p99", "p99_9", "max"}) {
        h += "<td>" + Number(q.value(k, json(0.0)), 1) + "</td>";
      }
      h += "</tr>\n";
    }
  }
  h += "</table>\n<h2>Errors</h2>\n";
  const json errors = r.value("errors", json::object());
  if (!errors.is_object() || errors.empty()) {
    h += "<p id=\"errors\">None.</p>\n";
  } else {
    h += "<table id=\"errors\"><tr><th>kind</th><th>count</th></tr>\n";
    for (const auto& [k, v] : errors.items()) {
      h += "<tr><td>" + MarkupEscape(k) + "</td><td>" + Number(v, 0) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "<h2>Per second</h2>\n<div id=\"charts\"></div>\n";
  const json data = {{"seconds_columns", r.value("seconds_columns", json::array())},
                     {"seconds", r.value("seconds", json::array())}};
  h += web::ChartPageTail(data.dump(-1, ' ', false, json::error_handler_t::replace), kScript);
  return h;
}

}  // namespace onair::loadgen
