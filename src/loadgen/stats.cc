#include "loadgen/stats.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <nlohmann/json.hpp>

namespace onair::loadgen {
namespace {

constexpr double kQuantiles[] = {0.5, 0.9, 0.99, 0.999};
constexpr const char* kQuantileNames[] = {"p50", "p90", "p99", "p99_9"};

}  // namespace

const SecondColumn kSecondColumns[12] = {{"scheduled", &SecondRow::scheduled},
                                         {"play_sent", &SecondRow::play_sent},
                                         {"play_ok", &SecondRow::play_ok},
                                         {"shed", &SecondRow::shed},
                                         {"shed_no_wait", &SecondRow::shed_no_wait},
                                         {"started", &SecondRow::started},
                                         {"errors", &SecondRow::errors},
                                         {"segments", &SecondRow::segments},
                                         {"bytes", &SecondRow::bytes},
                                         {"running", &SecondRow::running},
                                         {"sent", &SecondRow::sent},
                                         {"answered", &SecondRow::answered}};

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
    for (const SecondColumn& c : kSecondColumns) seconds[i].*c.field += o.seconds[i].*c.field;
  }
  running += o.running;
}

int64_t RunStats::Count(const std::string& key) const {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
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
  const int64_t sessions = Count("sessions");
  std::snprintf(line, sizeof(line),
                "sessions %lld in %.1f s: %lld played, %lld never started; play starts sent "
                "%lld, answered %lld, shed %lld (%lld without Retry-After)\n",
                static_cast<long long>(sessions), elapsed_s,
                static_cast<long long>(Count("started")),
                static_cast<long long>(Count("not_started")),
                static_cast<long long>(Total(&SecondRow::play_sent)),
                static_cast<long long>(Total(&SecondRow::play_ok)),
                static_cast<long long>(Total(&SecondRow::shed)),
                static_cast<long long>(Total(&SecondRow::shed_no_wait)));
  out += line;
  std::snprintf(line, sizeof(line), "segments %lld, %.1f MB; rebuffers %lld\n",
                static_cast<long long>(Total(&SecondRow::segments)),
                static_cast<double>(Total(&SecondRow::bytes)) / 1e6,
                static_cast<long long>(Count("rebuffers")));
  out += line;
  return out + TableText();
}

std::string RunStats::TableText() const {
  std::string out;
  char line[256];
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
  nlohmann::json columns = nlohmann::json::array();
  nlohmann::json totals = nlohmann::json::object();
  for (const SecondColumn& c : kSecondColumns) {
    columns.push_back(c.name);
    if (c.field != &SecondRow::running) totals[c.name] = Total(c.field);
  }
  for (const SecondRow& r : seconds) {
    nlohmann::json row = nlohmann::json::array();
    for (const SecondColumn& c : kSecondColumns) row.push_back(r.*c.field);
    rows.push_back(std::move(row));
  }
  j["seconds_columns"] = columns;
  j["seconds"] = rows;
  j["totals"] = totals;
  return j;
}

std::string RunStats::Encode(size_t most_bytes) const {
  nlohmann::json j;
  j["v"] = 1;
  nlohmann::json lat = nlohmann::json::object();
  for (const auto& [kind, q] : latency) {
    const std::string bytes = q.Encode();
    lat[kind] = nlohmann::json::binary(std::vector<uint8_t>(bytes.begin(), bytes.end()));
  }
  j["latency"] = std::move(lat);
  j["errors"] = errors;
  j["counts"] = counts;
  j["running"] = running;
  nlohmann::json rows = nlohmann::json::array();
  for (const SecondRow& r : seconds) {
    for (const SecondColumn& c : kSecondColumns) rows.push_back(r.*c.field);
  }
  j["seconds"] = std::move(rows);
  std::vector<uint8_t> out = nlohmann::json::to_cbor(j);
  if (out.size() > most_bytes) {
    j["seconds"] = nlohmann::json::array();
    j["seconds_left_out"] = true;
    out = nlohmann::json::to_cbor(j);
  }
  return std::string(out.begin(), out.end());
}

StatusOr<RunStats> RunStats::Decode(std::string_view bytes) {
  nlohmann::json j;
  try {  // even without exceptions asked for, a huge length in the header throws
    j = nlohmann::json::from_cbor(bytes.begin(), bytes.end(), true, false);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("results: not CBOR (") + e.what() + ")");
  }
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("results: not CBOR");
  if (!j.contains("v") || j["v"] != 1) return InvalidArgument("results: not version 1");
  RunStats s;
  auto field = [&](const char* name, nlohmann::json::value_t type) -> const nlohmann::json* {
    auto it = j.find(name);
    return it != j.end() && it->type() == type ? &*it : nullptr;
  };
  const auto* lat = field("latency", nlohmann::json::value_t::object);
  if (!lat) return InvalidArgument("results: latency must be an object");
  for (const auto& [kind, b] : lat->items()) {
    if (!b.is_binary()) return InvalidArgument("results: latency " + kind + " must be bytes");
    const auto& v = b.get_binary();
    auto q = metrics::Quantiles::Decode(
        std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
    if (!q.ok()) return InvalidArgument("results: latency " + kind + ": " + q.status().message());
    s.latency[kind] = std::move(*q);
  }
  for (const char* name : {"errors", "counts"}) {
    const auto* m = field(name, nlohmann::json::value_t::object);
    if (!m) return InvalidArgument(std::string("results: ") + name + " must be an object");
    for (const auto& [k, n] : m->items()) {
      if (!n.is_number_integer()) {
        return InvalidArgument(std::string("results: ") + name + " " + k + " must be whole");
      }
      (std::string(name) == "errors" ? s.errors : s.counts)[k] = n.get<int64_t>();
    }
  }
  if (auto it = j.find("running"); it != j.end() && it->is_number_integer()) {
    s.running = it->get<int64_t>();
  }
  const auto* rows = field("seconds", nlohmann::json::value_t::array);
  constexpr size_t kColumns = std::size(kSecondColumns);
  if (!rows || rows->size() % kColumns != 0 || rows->size() / kColumns > 7 * 24 * 3600 + 1) {
    return InvalidArgument("results: seconds must be rows of " + std::to_string(kColumns));
  }
  s.seconds.resize(rows->size() / kColumns);
  for (size_t i = 0; i < rows->size(); ++i) {
    const nlohmann::json& v = (*rows)[i];
    if (!v.is_number_integer()) return InvalidArgument("results: seconds must be whole numbers");
    s.seconds[i / kColumns].*kSecondColumns[i % kColumns].field = v.get<int64_t>();
  }
  return s;
}

}  // namespace onair::loadgen
