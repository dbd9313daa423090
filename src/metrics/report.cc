#include "metrics/report.h"

#include <algorithm>
#include <fstream>
#include <map>

#include "core/clock.h"
#include "core/markup.h"
#include "metrics/archive.h"
#include "web/chart_page.h"

namespace onair::metrics {

namespace {

using nlohmann::json;

// Each line of `path` that parses as a JSON object; the others counted.
std::vector<json> ReadLines(const std::string& path, size_t* skipped) {
  std::vector<json> out;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_object()) {
      out.push_back(std::move(j));
    } else {
      ++*skipped;
    }
  }
  return out;
}

double Num(const json& j, const char* key, const char* sub = nullptr) {
  const auto it = j.find(key);
  if (it == j.end()) return 0;
  if (sub) {
    const auto s = it->find(sub);
    return s != it->end() && s->is_number() ? s->get<double>() : 0;
  }
  return it->is_number() ? it->get<double>() : 0;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The summary the page shows: peaks with their time, totals, and totals by slice.
json Summary(const ReportData& d) {
  struct Peak {
    const char* label;
    const char* key;
    const char* sub;
    int digits;
  };
  const Peak peaks[] = {{"Concurrent viewers", "concurrent_viewers", nullptr, 0},
                        {"Starts per second", "starts", nullptr, 0},
                        {"Video startup time p95 (ms)", "vst_ms", "p95", 0},
                        {"Rebuffering ratio", "rebuffer_ratio", nullptr, 4},
                        {"Glass-to-glass latency p95 (ms)", "latency_ms", "p95", 0},
                        {"Player errors per second", "errors", nullptr, 0}};
  json out = {{"peaks", json::array()}, {"totals", json::object()}, {"by", json::object()}};
  for (const Peak& p : peaks) {
    const json* best = nullptr;
    for (const json& s : d.seconds) {
      if (!best || Num(s, p.key, p.sub) > Num(*best, p.key, p.sub)) best = &s;
    }
    out["peaks"].push_back({{"label", p.label},
                            {"value", best ? Fixed(Num(*best, p.key, p.sub), p.digits) : "0"},
                            {"at", best ? best->value("t", "") : ""}});
  }
  double played = 0, stalled = 0;
  std::map<std::string, double> totals;
  for (const json& s : d.seconds) {
    for (const char* k : {"attempts", "starts", "start_failures", "exits_before_start",
                          "playback_failures", "stalls", "errors"}) {
      totals[k] += Num(s, k);
    }
    played += Num(s, "played_s");
    stalled += Num(s, "stalled_s");
    const auto by = s.find("by");
    if (by == s.end() || !by->is_object()) continue;
    for (const auto& [dimension, values] : by->items()) {
      if (!values.is_object()) continue;
      for (const auto& [name, n] : values.items()) {
        json& t = out["by"][dimension][name];
        if (t.is_null()) t = json::object();
        for (const char* k : {"starts", "start_failures", "errors", "stalls"}) {
          t[k] = t.value(k, 0.0) + Num(n, k);
        }
        t["peak_viewers"] = std::max(t.value("peak_viewers", 0.0), Num(n, "concurrent_viewers"));
        t["played_s"] = t.value("played_s", 0.0) + Num(n, "played_s");
        t["stalled_s"] = t.value("stalled_s", 0.0) + Num(n, "stalled_s");
      }
    }
  }
  out["totals"] = totals;
  out["totals"]["watch_hours"] = played / 3600;
  out["totals"]["rebuffer_ratio"] = played + stalled > 0 ? stalled / (played + stalled) : 0;
  return out;
}

constexpr const char* kScript = R"JS(
const data = JSON.parse(document.getElementById('data').textContent);
const xs = data.seconds.map(s => s.second);
const get = (k, sub) => data.seconds.map(s => sub ? (s[k] || {})[sub] ?? null : s[k] ?? null);
// A percentile of a second without any value is a gap, not a zero.
const when = (values, counts) => values.map((v, i) => counts[i] > 0 ? v : null);
const starts = get('starts'), beats = get('heartbeats');
const charts = [
  ['Concurrent viewers', [['viewers', get('concurrent_viewers')]]],
  ['Starts per second', [['starts', get('starts')], ['start failures', get('start_failures')]]],
  ['Video startup time (ms)', [['p50', when(get('vst_ms', 'p50'), starts)],
                               ['p95', when(get('vst_ms', 'p95'), starts)],
                               ['p99', when(get('vst_ms', 'p99'), starts)]]],
  ['Rebuffering ratio', [['ratio', get('rebuffer_ratio')]]],
  ['Glass-to-glass latency (ms)', [['p50', when(get('latency_ms', 'p50'), beats)],
                                   ['p95', when(get('latency_ms', 'p95'), beats)]]],
  ['Player errors per second', [['errors', get('errors')]]],
  ['Average bitrate (Mbit/s)', [['bitrate', get('avg_bitrate').map(v => v / 1e6)]]],
];
const fired = data.alerts.filter(a => a.state === 'firing')
  .map(a => Date.parse(a.fired_at || a.at) / 1000);
onairCharts(charts, xs, {
  colors: ['#2563eb', '#dc2626', '#16a34a', '#9333ea'],
  uplot: {hooks: {draw: [u => {  // the moments alerts fired
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = '#f59e0b';
    for (const t of fired) {
      const x = u.valToPos(t, 'x', true);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  }]}},
});
)JS";

}  // namespace

StatusOr<ReportData> ReadReport(const std::string& dir, const std::string& event) {
  ReportData d;
  d.event = event;
  std::map<int64_t, json> by_second;  // a second written twice (a retried write) counts once
  for (json& s : ReadLines(Archive::SecondsPath(dir, event), &d.skipped_lines)) {
    const auto second = s.find("second");
    if (second == s.end() || !second->is_number_integer()) {
      ++d.skipped_lines;
      continue;
    }
    const int64_t at = second->get<int64_t>();  // read before s moves
    by_second[at] = std::move(s);
  }
  if (by_second.empty()) {
    return NotFound("no figures of " + event + " in " + Archive::SecondsPath(dir, event));
  }
  for (auto& [second, s] : by_second) d.seconds.push_back(std::move(s));
  const std::string first = FormatUtc(by_second.begin()->first * 1'000'000, false);
  const std::string last = FormatUtc((by_second.rbegin()->first + 1) * 1'000'000, false);
  // The alerts of this event, and the services' alerts (no event label) while it ran.
  for (json& a : ReadLines(Archive::AlertsPath(dir), &d.skipped_lines)) {
    const std::string at = a.value("at", "");
    const json labels = a.value("labels", json::object());
    const std::string of = labels.is_object() ? labels.value("event", "") : "";
    if ((of.empty() || of == event) && at >= first && at <= last) d.alerts.push_back(std::move(a));
  }
  return d;
}

std::string ReportHtml(const ReportData& d) {
  const json summary = Summary(d);
  const std::string from = d.seconds.front().value("t", "");
  const std::string to = d.seconds.back().value("t", "");
  std::string h;
  h += web::ChartPageHead("onair report: " + d.event, R"CSS(
body { font: 14px system-ui, sans-serif; margin: 20px; color: #111; }
table { border-collapse: collapse; margin: 8px 0 20px; }
td, th { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }
th { background: #f3f4f6; }
.firing { color: #b91c1c; } .resolved { color: #15803d; }
.chart { margin: 12px 0; }
)CSS");
  h += "<h1>" + MarkupEscape(d.event) + "</h1>\n<p>From " + MarkupEscape(from) + " to " +
       MarkupEscape(to) + " (" + std::to_string(d.seconds.size()) + " seconds with figures).</p>\n";
  h += "<h2>Peaks</h2>\n<table id=\"peaks\"><tr><th>Figure</th><th>Peak</th><th>At</th></tr>\n";
  for (const json& p : summary["peaks"]) {
    h += "<tr><td>" + MarkupEscape(p["label"].get<std::string>()) + "</td><td>" +
         MarkupEscape(p["value"].get<std::string>()) + "</td><td>" +
         MarkupEscape(p["at"].get<std::string>()) + "</td></tr>\n";
  }
  h += "</table>\n<h2>Totals</h2>\n<table id=\"totals\">\n";
  for (const auto& [k, v] : summary["totals"].items()) {
    h += "<tr><td>" + MarkupEscape(k) + "</td><td>" +
         Fixed(v.get<double>(), k == "rebuffer_ratio" ? 4
                                : k == "watch_hours"  ? 2
                                                      : 0) +
         "</td></tr>\n";
  }
  h += "</table>\n<h2>Alerts</h2>\n";
  if (d.alerts.empty()) h += "<p id=\"alerts\">No alert changed state while the event ran.</p>\n";
  if (!d.alerts.empty()) {
    h += "<table id=\"alerts\"><tr><th>At</th><th>State</th><th>Alert</th><th>Where</th>"
         "<th>Summary</th></tr>\n";
    for (const json& a : d.alerts) {
      std::string where;
      const json labels = a.value("labels", json::object());  // bound: items() of it below
      for (const auto& [k, v] : labels.items()) {
        if (v.is_string()) where += (where.empty() ? "" : ", ") + k + "=" + v.get<std::string>();
      }
      const std::string state = a.value("state", "");
      h += "<tr><td>" + MarkupEscape(a.value("at", "")) + "</td><td class=\"" +
           MarkupEscape(state) + "\">" + MarkupEscape(state) + "</td><td>" +
           MarkupEscape(a.value("name", "")) + "</td><td>" + MarkupEscape(where) + "</td><td>" +
           MarkupEscape(a.value("summary", "")) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "<h2>Charts</h2>\n<p>Orange lines: alerts firing.</p>\n<div id=\"charts\"></div>\n";
  for (const auto& [dimension, values] : summary["by"].items()) {
    h += "<h2>By " + MarkupEscape(dimension) + "</h2>\n<table><tr><th>" + MarkupEscape(dimension) +
         "</th><th>Peak viewers</th><th>Starts</th><th>Start failures</th><th>Errors</th>"
         "<th>Stalls</th><th>Rebuffering ratio</th></tr>\n";
    for (const auto& [name, t] : values.items()) {
      const double played = t.value("played_s", 0.0), stalled = t.value("stalled_s", 0.0);
      h += "<tr><td>" + MarkupEscape(name) + "</td><td>" + Fixed(t.value("peak_viewers", 0.0), 0) +
           "</td><td>" + Fixed(t.value("starts", 0.0), 0) + "</td><td>" +
           Fixed(t.value("start_failures", 0.0), 0) + "</td><td>" +
           Fixed(t.value("errors", 0.0), 0) + "</td><td>" + Fixed(t.value("stalls", 0.0), 0) +
           "</td><td>" + Fixed(played + stalled > 0 ? stalled / (played + stalled) : 0, 4) +
           "</td></tr>\n";
    }
    h += "</table>\n";
  }
  if (d.skipped_lines) {
    h += "<p>" + std::to_string(d.skipped_lines) + " lines of the archive were not read.</p>\n";
  }
  json data = {{"event", d.event}, {"alerts", d.alerts}, {"seconds", json::array()}};
  for (const json& s : d.seconds) {
    json slim = s;
    slim.erase("by");  // the charts need the totals only
    data["seconds"].push_back(std::move(slim));
  }
  h += web::ChartPageTail(data.dump(-1, ' ', false, json::error_handler_t::replace), kScript);
  return h;
}

}  // namespace onair::metrics
