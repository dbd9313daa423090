#include "metrics/alerts.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "metrics/alert_rules.h"
#include "metrics/alertmanager.h"

namespace onair::metrics {
namespace {

constexpr UtcMicros kT0 = 1'795'000'000'000'000;
UtcMicros At(int64_t s) { return kT0 + s * 1'000'000; }

Condition Slow(const std::string& edge, int64_t for_s = 5) {
  return {.name = "LatencyHigh",
          .labels = {{"event", "final"}, {"edge", edge}},
          .summary = "slow",
          .value = 12000,
          .threshold = 10000,
          .for_s = for_s};
}

TEST(AlertBook, PendingThenFiringThenResolvedAfterItClears) {
  AlertBook book({.clear_s = 10});
  EXPECT_TRUE(book.Evaluate(At(0), {Slow("a")}).empty());
  ASSERT_EQ(book.Active().size(), 1u);
  EXPECT_EQ(book.Active()[0].state, AlertState::kPending);
  EXPECT_TRUE(book.Evaluate(At(4), {Slow("a")}).empty());
  const auto fired = book.Evaluate(At(5), {Slow("a")});
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].state, AlertState::kFiring);
  EXPECT_EQ(fired[0].since, At(0));
  EXPECT_EQ(fired[0].fired_at, At(5));
  EXPECT_EQ(fired[0].key(), "LatencyHigh{edge=\"a\",event=\"final\"}");
  // It stops holding: still firing for clear_s (a flapping value stays one alert) ...
  EXPECT_TRUE(book.Evaluate(At(6), {}).empty());
  EXPECT_TRUE(book.Evaluate(At(8), {Slow("a")}).empty());
  EXPECT_TRUE(book.Evaluate(At(17), {}).empty());
  EXPECT_EQ(book.Active()[0].state, AlertState::kFiring);
  // ... then resolved, and kept in the history.
  const auto resolved = book.Evaluate(At(18), {});
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].state, AlertState::kResolved);
  EXPECT_EQ(resolved[0].resolved_at, At(18));
  EXPECT_TRUE(book.Active().empty());
  ASSERT_EQ(book.History().size(), 1u);
  const nlohmann::json j = book.History()[0];
  EXPECT_EQ(j["state"], "resolved");
  EXPECT_EQ(j["labels"]["edge"], "a");
  EXPECT_EQ(j["severity"], "warning");
}

TEST(AlertBook, APendingAlertThatStopsHoldingIsForgotten) {
  AlertBook book;
  book.Evaluate(At(0), {Slow("a")});
  book.Evaluate(At(1), {});
  EXPECT_TRUE(book.Active().empty());
  EXPECT_TRUE(book.History().empty());
  // Each place is its own alert; firing ones come first.
  book.Evaluate(At(2), {Slow("a", 0), Slow("b")});
  const auto active = book.Active();
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].condition.labels.at("edge"), "a");
  EXPECT_EQ(active[0].state, AlertState::kFiring);
}

TEST(AlertBook, BoundedAndForgetsOldResolvedAlerts) {
  AlertBook book({.clear_s = 1, .keep_resolved_s = 60, .max_alerts = 2});
  book.Evaluate(At(0), {Slow("a", 0), Slow("b", 0), Slow("c", 0)});
  EXPECT_EQ(book.Active().size(), 2u);
  EXPECT_EQ(book.dropped(), 1u);
  book.Evaluate(At(1), {});
  EXPECT_EQ(book.History().size(), 2u);
  book.Evaluate(At(100), {});
  EXPECT_TRUE(book.History().empty());
}

SecondNumbers Span() {
  SecondNumbers s;
  s.total = {.concurrent_viewers = 100,
             .attempts = 20,
             .starts = 18,
             .start_failures = 2,
             .heartbeats = 300};
  s.total.start_failure_pct = 10;
  s.total.played_s = 2900;
  s.total.stalled_s = 100;
  s.total.rebuffer_ratio = 100.0 / 3000;
  Numbers good{.heartbeats = 200};
  good.latency_p95 = 3000;
  Numbers dead{.errors = 12, .heartbeats = 0};
  Numbers slow{.errors = 1, .heartbeats = 100};
  slow.latency_p95 = 15000;
  s.by[0] = {{"edge-a", good}, {"edge-b", dead}, {"edge-c", slow}};
  return s;
}

std::vector<std::string> Names(const std::vector<Condition>& cs) {
  std::vector<std::string> out;
  for (const Condition& c : cs) {
    std::string where;
    for (const auto& [k, v] : c.labels) {
      if (k != "event") where += "/" + v;
    }
    out.push_back(c.name + where);
  }
  return out;
}

TEST(AlertRules, JudgeTheEventAndEachEdgeAndRegion) {
  const SecondNumbers span = Span();
  EventView v{.event = "final", .span = &span};
  v.starts = Baseline::Verdict::kBelow;
  v.starts_now = 2;
  v.starts_expected = 40;
  v.capacity_in_s = 600;
  const auto names = Names(EventConditions(v, {}));
  EXPECT_EQ(names, (std::vector<std::string>{"StartsBelowBaseline", "CapacityForecast",
                                             "RebufferingHigh", "StartFailuresHigh",
                                             "ErrorRateHigh/edge-b", "LatencyHigh/edge-c"}));
  // Below their floors (watch time, attempts, errors) nothing is judged.
  AlertThresholds strict;
  strict.min_watch_s = 5000;
  strict.min_attempts = 50;
  strict.min_errors = 20;
  strict.latency_p95_ms = 20000;
  v.starts = Baseline::Verdict::kNormal;
  v.capacity_in_s = 3600;
  EXPECT_TRUE(EventConditions(v, strict).empty());
}

TEST(AlertRules, JudgeTheServicesAndTheLevers) {
  Signals::Span span;
  span.by_target["origin"] = {.origin_switches = 3, .defects = 1};
  span.by_target["edge-a"] = {.served = 100, .hits = 99, .shed = 2};
  std::map<std::string, TargetState> targets{{"edge-a", {.up = true}}, {"edge-b", {.up = false}}};
  const nlohmann::json levers = {{"quality", {{"max_bitrate", 1000000}, {"max_height", 0}}},
                                 {"quality_by_type", {{"phone", {{"max_height", 360}}}}},
                                 {"personalisation", false},
                                 {"drained_edges", {"edge-b"}}};
  const auto names =
      Names(ServiceConditions({.span = &span, .targets = &targets, .levers = &levers}, {}));
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "ServiceDown/edge-b", "RequestsShed/edge-a", "OriginSwitches/origin",
                "PipelineDefects/origin", "LeverInForce/quality", "LeverInForce/phone/quality",
                "LeverInForce/personalisation", "LeverInForce/edge-b/drain"}));
  const nlohmann::json none = {{"quality", nlohmann::json::object()},
                               {"quality_by_type", {{"tv", nlohmann::json::object()}}},
                               {"personalisation", true}};
  EXPECT_TRUE(ServiceConditions({.levers = &none}, {}).empty());
}

TEST(Alertmanager, FiringAlertsEndAFewResendsAheadAndResolvedOnesSayWhenTheyEnded) {
  AlertBook book({.clear_s = 1});
  book.Evaluate(At(0), {Slow("a", 0), Slow("b", 0)});
  book.Evaluate(At(10), {Slow("a", 0)});  // b resolves
  const AlertmanagerOptions o{.generator_url = "http://metrics/control"};
  const auto j = nlohmann::json::parse(AlertmanagerBody(book.Active(), book.History(), At(10), o));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["labels"]["alertname"], "LatencyHigh");
  EXPECT_EQ(j[0]["labels"]["edge"], "a");
  EXPECT_EQ(j[0]["labels"]["severity"], "warning");
  EXPECT_EQ(j[0]["startsAt"], FormatUtc(At(0), true));
  EXPECT_EQ(j[0]["endsAt"], FormatUtc(At(130), true));  // 4 resends of 30 s
  EXPECT_EQ(j[0]["annotations"]["summary"], "slow");
  EXPECT_EQ(j[0]["generatorURL"], "http://metrics/control");
  EXPECT_EQ(j[1]["labels"]["edge"], "b");
  EXPECT_EQ(j[1]["endsAt"], FormatUtc(At(10), true));
  // Resolved ones are sent for a while; nothing to say is no body.
  book.Evaluate(At(20), {});
  EXPECT_EQ(
      nlohmann::json::parse(AlertmanagerBody(book.Active(), book.History(), At(20), o)).size(), 2u);
  EXPECT_EQ(AlertmanagerBody(book.Active(), book.History(), At(400), o), "");
}

}  // namespace
}  // namespace onair::metrics
