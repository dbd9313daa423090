#include "loadgen/stats.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace onair::loadgen {
namespace {

constexpr double kQuantiles[] = {0.5, 0.9, 0.99, 0.999};
constexpr const char* kQuantileNames[] = {"p50", "p90", "p99", "p99_9"};

int64_t CountOf(const std::map<std::string, int64_t>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

void RunStats::Error(const std::string& kind, int64_t second) {
  ++errors[kind];
  ++At(second).errors;
}

SecondRow& RunStats::At(int64_t second) {
  const auto s = static_cast<size_t>(std::clamp<int64_t>(second, 0, 7 * 24 * 3600));
  if (seconds.size() <= s) seconds.resize(s + 1);
  return seconds[s];
}

void RunStats::Merge(const RunStats& o) {
  for (const auto& [k, q] : o.latency) latency[k].Merge(q);
  for (const auto& [k, n] : o.errors) errors[k] += n;
  for (const auto& [k, n] : o.counts) counts[k] += n;
  if (seconds.size() < o.seconds.size()) seconds.resize(o.seconds.size());
  for (size_t i = 0; i < o.seconds.size(); ++i) {
    SecondRow& a = seconds[i];
    const SecondRow& b = o.seconds[i];
    a.scheduled += b.scheduled;
    a.play_sent += b.play_sent;
    a.play_ok += b.play_ok;
    a.shed += b.shed;
    a.shed_no_wait += b.shed_no_wait;
    a.started += b.started;
    a.errors += b.errors;
    a.segments += b.segments;
    a.bytes += b.bytes;
    a.running += b.running;
  }
  running += o.running;
}

int64_t RunStats::Total(int64_t SecondRow::*field) const {
  int64_t n = 0;
  for (const SecondRow& r : seconds) n += r.*field;
  return n;
}

std::string RunStats::Brief(const std::string& kind) const {
  auto it = latency.find(kind);
  if (it == latency.end() || it->second.empty()) return "";
  char out[96];
  std::snprintf(out, sizeof(out), "p50 %.0f p99 %.0f ms", it->second.Quantile(0.5),
                it->second.Quantile(0.99));
  return out;
}

std::string RunStats::SummaryText(double elapsed_s) const {
  std::string out;
  char line[256];
  const int64_t sessions = CountOf(counts, "sessions");
  std::snprintf(line, sizeof(line),
                "sessions %lld in %.1f s: %lld played, %lld never started; play starts sent "
                "%lld, answered %lld, shed %lld (%lld without Retry-After)\n",
                static_cast<long long>(sessions), elapsed_s,
                static_cast<long long>(CountOf(counts, "started")),
                static_cast<long long>(CountOf(counts, "not_started")),
                static_cast<long long>(Total(&SecondRow::play_sent)),
                static_cast<long long>(Total(&SecondRow::play_ok)),
                static_cast<long long>(Total(&SecondRow::shed)),
                static_cast<long long>(Total(&SecondRow::shed_no_wait)));
  out += line;
  std::snprintf(line, sizeof(line), "segments %lld, %.1f MB; rebuffers %lld\n",
                static_cast<long long>(Total(&SecondRow::segments)),
                static_cast<double>(Total(&SecondRow::bytes)) / 1e6,
                static_cast<long long>(CountOf(counts, "rebuffers")));
  out += line;
  std::snprintf(line, sizeof(line), "%-10s %9s %9s %9s %9s %9s %9s  (ms)\n", "request", "count",
                "p50", "p90", "p99", "p99.9", "max");
  out += line;
  for (const auto& [kind, q] : latency) {
    std::snprintf(line, sizeof(line), "%-10s %9llu %9.1f %9.1f %9.1f %9.1f %9.1f\n", kind.c_str(),
                  static_cast<unsigned long long>(q.count()), q.Quantile(0.5), q.Quantile(0.9),
                  q.Quantile(0.99), q.Quantile(0.999), q.max());
    out += line;
  }
  if (errors.empty()) {
    out += "errors: none\n";
  } else {
    out += "errors:";
    for (const auto& [kind, n] : errors) out += " " + kind + " " + std::to_string(n);
    out += "\n";
  }
  return out;
}

nlohmann::json RunStats::ToJson(double elapsed_s) const {
  nlohmann::json j;
  j["elapsed_s"] = elapsed_s;
  j["counts"] = counts;
  j["errors"] = errors;
  nlohmann::json lat = nlohmann::json::object();
  for (const auto& [kind, q] : latency) {
    nlohmann::json k;
    k["count"] = q.count();
    for (size_t i = 0; i < std::size(kQuantiles); ++i)
      k[kQuantileNames[i]] = q.Quantile(kQuantiles[i]);
    k["max"] = q.max();
    k["mean"] = q.count() ? q.sum() / static_cast<double>(q.count()) : 0;
    lat[kind] = k;
  }
  j["latency_ms"] = lat;
  nlohmann::json rows = nlohmann::json::array();
  for (const SecondRow& r : seconds) {
    rows.push_back({r.scheduled, r.play_sent, r.play_ok, r.shed, r.shed_no_wait, r.started,
                    r.errors, r.segments, r.bytes, r.running});
  }
  j["seconds_columns"] = {"scheduled", "play_sent", "play_ok",  "shed",  "shed_no_wait",
                          "started",   "errors",    "segments", "bytes", "running"};
  j["seconds"] = rows;
  j["totals"] = {{"scheduled", Total(&SecondRow::scheduled)},
                 {"play_sent", Total(&SecondRow::play_sent)},
                 {"play_ok", Total(&SecondRow::play_ok)},
                 {"shed", Total(&SecondRow::shed)},
                 {"shed_no_wait", Total(&SecondRow::shed_no_wait)},
                 {"started", Total(&SecondRow::started)},
                 {"errors", Total(&SecondRow::errors)},
                 {"segments", Total(&SecondRow::segments)},
                 {"bytes", Total(&SecondRow::bytes)}};
  return j;
}

}  // namespace onair::loadgen
