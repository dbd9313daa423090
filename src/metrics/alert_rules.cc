#include "metrics/alert_rules.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace onair::metrics {

namespace {

std::string Format(const char* fmt, double a, double b = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

using Labels = std::map<std::string, std::string>;

// The rules judged on one slice (the event as a whole, or one edge or region of it).
void SliceConditions(const Numbers& n, const Labels& where, const std::string& place, bool whole,
                     const AlertThresholds& t, std::vector<Condition>* out) {
  if (n.played_s + n.stalled_s >= t.min_watch_s && n.rebuffer_ratio > t.rebuffer_ratio) {
    out->push_back(
        {.name = "RebufferingHigh",
         .labels = where,
         .severity = Severity::kWarning,
         .summary = Format("%.1f %% of watch time stalled", 100 * n.rebuffer_ratio) + place,
         .value = n.rebuffer_ratio,
         .threshold = t.rebuffer_ratio,
         .for_s = t.for_s});
  }
  if (n.attempts >= t.min_attempts && n.start_failure_pct > t.start_failure_pct) {
    out->push_back({.name = "StartFailuresHigh",
                    .labels = where,
                    .severity = Severity::kCritical,
                    .summary = Format("%.1f %% of %.0f play attempts failed", n.start_failure_pct,
                                      static_cast<double>(n.attempts)) +
                               place,
                    .value = n.start_failure_pct,
                    .threshold = t.start_failure_pct,
                    .for_s = t.for_s});
  }
  if (whole) return;  // errors and latency are judged where they happen: by edge and region
  const double rate = n.heartbeats
                          ? static_cast<double>(n.errors) / static_cast<double>(n.heartbeats)
                          : std::numeric_limits<double>::infinity();
  if (n.errors >= t.min_errors && rate > t.error_rate) {
    out->push_back({.name = "ErrorRateHigh",
                    .labels = where,
                    .severity = Severity::kWarning,
                    .summary = Format("%.0f errors", static_cast<double>(n.errors)) +
                               (n.heartbeats ? Format(", %.2f per viewer every 10 s", rate)
                                             : ", no viewer left") +
                               place,
                    .value = std::isinf(rate) ? 1e9 : rate,
                    .threshold = t.error_rate,
                    .for_s = t.for_s});
  }
  if (n.heartbeats >= t.min_heartbeats && n.latency_p95 > t.latency_p95_ms) {
    out->push_back({.name = "LatencyHigh",
                    .labels = where,
                    .severity = Severity::kWarning,
                    .summary = Format("glass to glass p95 %.1f s", n.latency_p95 / 1e3) + place,
                    .value = n.latency_p95,
                    .threshold = t.latency_p95_ms,
                    .for_s = t.for_s});
  }
}

}  // namespace

std::vector<Condition> EventConditions(const EventView& v, const AlertThresholds& t) {
  std::vector<Condition> out;
  const Labels event{{"event", v.event}};
  if (v.starts == Baseline::Verdict::kBelow) {
    out.push_back(
        {.name = "StartsBelowBaseline",
         .labels = event,
         .severity = Severity::kCritical,
         .summary = Format("%.0f starts/s, %.0f expected", v.starts_now, v.starts_expected),
         .value = v.starts_now,
         .threshold = v.starts_expected,
         .for_s = t.for_s});
  } else if (v.starts == Baseline::Verdict::kAbove) {
    out.push_back({.name = "StartsSurge",
                   .labels = event,
                   .severity = Severity::kInfo,
                   .summary = Format("%.0f starts/s, %.0f expected: a crowd is coming",
                                     v.starts_now, v.starts_expected),
                   .value = v.starts_now,
                   .threshold = v.starts_expected,
                   .for_s = 0});
  }
  if (v.capacity_in_s && *v.capacity_in_s <= t.capacity_warning_s) {
    out.push_back({.name = "CapacityForecast",
                   .labels = event,
                   .severity = Severity::kWarning,
                   .summary = Format("viewers reach the fleet's capacity in about %.0f minutes",
                                     std::ceil(*v.capacity_in_s / 60)),
                   .value = *v.capacity_in_s,
                   .threshold = t.capacity_warning_s,
                   .for_s = 0});
  }
  if (!v.span) return out;
  SliceConditions(v.span->total, event, "", true, t, &out);
  for (const Dimension d : {Dimension::kEdge, Dimension::kRegion}) {
    const std::string dim = DimensionName(d);
    for (const auto& [value, n] : v.span->by[static_cast<size_t>(d)]) {
      SliceConditions(n, {{"event", v.event}, {dim, value}}, " on " + dim + " " + value, false, t,
                      &out);
    }
  }
  return out;
}

std::vector<Condition> ServiceConditions(const ServiceView& v, const AlertThresholds& t) {
  std::vector<Condition> out;
  if (v.targets) {
    for (const auto& [target, state] : *v.targets) {
      if (state.up) continue;
      out.push_back({.name = "ServiceDown",
                     .labels = {{"target", target}},
                     .severity = Severity::kCritical,
                     .summary = target + " does not answer",
                     .value = 0,
                     .threshold = 1,
                     .for_s = t.down_for_s});
    }
  }
  // What any service's signals in the span fire at once, where they happen.
  struct Signal {
    const char* name;
    double Counters::*count;
    const char* what;  // "%.0f ..."
  };
  static constexpr Signal kSignals[] = {
      {"OriginSwitches", &Counters::origin_switches, "%.0f reads served by the other pipeline"},
      {"PipelineDefects", &Counters::defects, "%.0f segments written with defects"},
      {"RequestsShed", &Counters::shed, "%.0f requests shed by admission"}};
  if (v.span) {
    for (const auto& [target, c] : v.span->by_target) {
      for (const Signal& sig : kSignals) {
        const double n = c.*sig.count;
        if (n <= 0) continue;
        out.push_back({.name = sig.name,
                       .labels = {{"target", target}},
                       .severity = Severity::kWarning,
                       .summary = Format(sig.what, n),
                       .value = n,
                       .threshold = 0});
      }
    }
  }
  if (v.levers && v.levers->is_object()) {
    const nlohmann::json& l = *v.levers;
    auto lever = [&](const std::string& name, const std::string& summary, Labels extra = {}) {
      extra["lever"] = name;
      out.push_back({.name = "LeverInForce",
                     .labels = std::move(extra),
                     .severity = Severity::kInfo,
                     .summary = summary});
    };
    // A cap is in force when it limits something ({} and null: no cap).
    auto capped = [](const nlohmann::json& cap) { return cap.is_object() && !cap.empty(); };
    if (l.contains("quality") && capped(l["quality"])) {
      lever("quality", "a quality cap for every device: " + l["quality"].dump());
    }
    if (l.contains("quality_by_type") && l["quality_by_type"].is_object()) {
      for (const auto& [type, cap] : l["quality_by_type"].items()) {
        if (!capped(cap)) continue;
        lever("quality", "a quality cap for " + type + ": " + cap.dump(), {{"device_type", type}});
      }
    }
    if (l.contains("personalisation") && l["personalisation"] == false) {
      lever("personalisation", "personalisation off: every device gets the generic answer");
    }
    if (l.contains("drained_edges") && l["drained_edges"].is_array()) {
      for (const auto& e : l["drained_edges"]) {
        if (e.is_string()) {
          lever("drain", "edge " + e.get<std::string>() + " drained: no new viewers",
                {{"edge", e.get<std::string>()}});
        }
      }
    }
  }
  return out;
}

}  // namespace onair::metrics
