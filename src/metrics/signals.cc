#include "metrics/signals.h"

#include <nlohmann/json.hpp>
#include <string_view>

namespace onair::metrics {

namespace {

struct Field {
  const char* name;
  double Counters::*member;
};
constexpr Field kFields[] = {{"served", &Counters::served},
                             {"hits", &Counters::hits},
                             {"refused", &Counters::refused},
                             {"shed", &Counters::shed},
                             {"origin_switches", &Counters::origin_switches},
                             {"defects", &Counters::defects},
                             {"upstream_errors", &Counters::upstream_errors}};

bool IsService(std::string_view name, std::string_view suffix) {
  return name.starts_with("onair_") && name.ends_with(suffix);
}

}  // namespace

void Counters::Add(const Counters& o) {
  for (const Field& f : kFields) this->*f.member += o.*f.member;
}

Counters Counters::Since(const Counters& before) const {
  Counters d;
  for (const Field& f : kFields) {
    const double now = this->*f.member, then = before.*f.member;
    d.*f.member = now >= then ? now - then : now;
  }
  return d;
}

void to_json(nlohmann::json& j, const Counters& c) {
  j = nlohmann::json::object();
  for (const Field& f : kFields) j[f.name] = c.*f.member;
  j["hit_ratio"] = c.hit_ratio();
}

Counters CountersOf(const std::vector<PromSample>& samples) {
  Counters c;
  for (const PromSample& s : samples) {
    if (!(s.value >= 0 && s.value < 1e18)) continue;  // NaN, negative, infinite: not a count
    const std::string_view name = s.name;
    if (name == "onair_edge_requests_total") {
      c.served += s.value;
      if (s.label("cache") != "miss") c.hits += s.value;
    } else if (IsService(name, "_refused_total") && !name.ends_with("_admin_refused_total")) {
      c.refused += s.value;
    } else if (IsService(name, "_shed_total") && !name.starts_with("onair_edge_prefetches")) {
      c.shed += s.value;
    } else if (name == "onair_origin_candidate_choices_total") {
      // Served by the other pipeline because the preferred one's was missing or worse ("streaming":
      // an in-progress read of whichever is being made, not a switch).
      const std::string_view reason = s.label("reason");
      if (reason == "fallback" || reason == "better-defective") c.origin_switches += s.value;
    } else if (name == "onair_origin_defective_writes_total") {
      c.defects += s.value;
    } else if (name == "onair_edge_upstream_errors_total") {
      c.upstream_errors += s.value;
    }
  }
  return c;
}

void Signals::Record(const std::string& target, UtcMicros now,
                     const std::optional<Counters>& counters) {
  const auto [it, fresh] = targets_.try_emplace(target);
  TargetState& t = it->second;
  const bool up = counters.has_value();
  if (fresh || t.up != up) t.since = now;
  if (up) {
    // The first answer, or the first after a silence, only sets where counting starts.
    if (!fresh && t.up) seconds_[SecondOf(now)][target].Add(counters->Since(t.total));
    t.total = *counters;
    t.last_seen = now;
  }
  t.up = up;
  while (!seconds_.empty() && seconds_.begin()->first < SecondOf(now) - keep_s_) {
    seconds_.erase(seconds_.begin());
  }
}

void Signals::Forget(const std::string& target) {
  targets_.erase(target);
  for (auto& [s, by] : seconds_) by.erase(target);
}

Signals::Span Signals::Window(int64_t from_s, int64_t to_s) const {
  Span span;
  for (auto it = seconds_.lower_bound(from_s); it != seconds_.end() && it->first <= to_s; ++it) {
    for (const auto& [target, c] : it->second) {
      span.total.Add(c);
      span.by_target[target].Add(c);
    }
  }
  return span;
}

std::vector<std::pair<int64_t, Counters>> Signals::Series(int64_t from_s, int64_t to_s) const {
  std::vector<std::pair<int64_t, Counters>> out;
  for (auto it = seconds_.lower_bound(from_s); it != seconds_.end() && it->first <= to_s; ++it) {
    Counters total;
    for (const auto& [target, c] : it->second) total.Add(c);
    out.emplace_back(it->first, total);
  }
  return out;
}

}  // namespace onair::metrics
