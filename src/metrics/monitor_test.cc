#include "metrics/monitor.h"

#include <gtest/gtest.h>

namespace onair::metrics {
namespace {

using contract::QoeBatch;
using contract::QoeEvent;
using contract::QoeType;

constexpr UtcMicros kT0 = 1'795'000'000'000'000;
UtcMicros At(int64_t s) { return kT0 + s * 1'000'000; }

// `n` sessions start in second s, each with a heartbeat.
void Starts(Monitor& m, int64_t s, int n, UtcMicros now) {
  for (int k = 0; k < n; ++k) {
    QoeBatch b{.session = "s" + std::to_string(s) + "-" + std::to_string(k),
               .event = "final",
               .device_type = "tv",
               .region = "eu"};
    b.events.push_back({.type = QoeType::kStart, .at_us = At(s), .ttff_ms = 900, .edge = "a"});
    b.events.push_back({.type = QoeType::kHeartbeat,
                        .at_us = At(s),
                        .edge = "a",
                        .bitrate = 3'000'000,
                        .latency_ms = 3000,
                        .played_ms = 1000,
                        .stalled_ms = 0});
    m.collector().Add(b, now);
  }
}

std::vector<std::string> Fired(const std::vector<Alert>& changed) {
  std::vector<std::string> out;
  for (const Alert& a : changed) {
    out.push_back(std::string(AlertStateName(a.state)) + " " + a.condition.name);
  }
  return out;
}

TEST(Monitor, StartsThatDropBelowTheirBaselineFireAndResolveWhenTheyReturn) {
  MonitorOptions o;
  o.settle_s = 2;
  Monitor m(o);
  std::vector<std::string> log;
  for (int64_t s = 0; s < 200; ++s) {
    const bool outage = s >= 100 && s < 140;
    Starts(m, s, outage ? 1 : 20, At(s));
    for (const std::string& f : Fired(m.Tick(At(s + 1))))
      log.push_back(std::to_string(s) + " " + f);
  }
  // Second 100 is judged 2 s after it (the tick at 102, after second 101's events), the alert
  // fires 5 s later and resolves 10 s after the last low second was judged (141).
  EXPECT_EQ(log, (std::vector<std::string>{"106 firing StartsBelowBaseline",
                                           "150 resolved StartsBelowBaseline"}));
  const nlohmann::json o_json = m.Overview("final", At(200));
  EXPECT_EQ(o_json["starts"]["verdict"], "normal");
  EXPECT_NEAR(o_json["starts"]["expected"].get<double>(), 20, 1);
  EXPECT_EQ(o_json["seconds"].size(), 120u);  // the last two minutes
  // The last 30 s, the current one (200) without events yet.
  EXPECT_EQ(o_json["span"]["by"]["edge"]["a"]["starts"], 20 * 29);
  EXPECT_EQ(o_json["alerts"]["history"].size(), 1u);
  EXPECT_FALSE(o_json["forecast"]["model"].get<std::string>().empty());
}

TEST(Monitor, ServicesLeversAndTheFleetsCapacity) {
  Monitor m;
  WatchRound r{.at = At(0)};
  r.scrapes = {{"origin", Counters{}}, {"edge-a", Counters{}}};
  r.levers = nlohmann::json{{"quality", nullptr}, {"drained_edges", {"edge-a"}}};
  r.fleet = nlohmann::json::array({{{"name", "edge-a"}, {"max_connections", 1000}},
                                   {{"name", "edge-b"}, {"max_connections", 500}}});
  m.Watched(r);
  EXPECT_EQ(m.capacity(), 1500);
  EXPECT_EQ(Fired(m.Tick(At(1))), (std::vector<std::string>{"firing LeverInForce"}));
  // The edge stops answering, the origin serves the other pipeline.
  for (int64_t s = 1; s <= 4; ++s) {
    r.at = At(s);
    r.scrapes = {{"origin", Counters{.origin_switches = static_cast<double>(s)}},
                 {"edge-a", std::nullopt}};
    m.Watched(r);
  }
  EXPECT_EQ(Fired(m.Tick(At(4))), (std::vector<std::string>{"firing OriginSwitches"}));
  EXPECT_EQ(Fired(m.Tick(At(6))), (std::vector<std::string>{"firing ServiceDown"}));
  const nlohmann::json services = m.Overview("none", At(6))["services"];
  EXPECT_FALSE(services["targets"]["edge-a"]["up"].get<bool>());
  EXPECT_EQ(services["span"]["by_target"]["origin"]["origin_switches"], 4);
  // A target the round no longer names is forgotten (an edge removed from the fleet).
  r.scrapes = {{"origin", Counters{.origin_switches = 4}}};
  r.levers = std::nullopt;
  m.Watched(r);
  EXPECT_EQ(m.Overview("none", At(5))["services"]["targets"].size(), 1u);
  EXPECT_TRUE(m.Overview("none", At(5))["levers"].is_null());
}

}  // namespace
}  // namespace onair::metrics
