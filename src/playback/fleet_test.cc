#include "playback/fleet.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace onair::playback {
namespace {

using std::chrono::milliseconds;
const auto kNow = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);

TEST(ParseEdgeStatus, ReadsWhatTheEdgeReports) {
  auto h = ParseEdgeStatus(
      R"({"state": "healthy", "connections": 12, "egress_bps": 3000000, "cache_hit_ratio": 0.98,
          "fills_in_flight": 1, "cache_bytes": 100, "upstreams_healthy": 2})",
      kNow);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_TRUE(h->reachable);
  EXPECT_EQ(h->state, "healthy");
  EXPECT_EQ(h->connections, 12);
  EXPECT_EQ(h->egress_bps, 3'000'000);
  for (const char* bad : {"", "[]", R"({"connections": 1})", R"({"state": 1})",
                          R"({"state": "healthy", "connections": -1})",
                          R"({"state": "healthy", "egress_bps": "lots"})",
                          R"({"state": "healthy", "egress_bps": 18446744073709551615})"}) {
    EXPECT_FALSE(ParseEdgeStatus(bad, kNow).ok()) << bad;
  }
}

std::vector<std::string> Names(const std::vector<const EdgeEntry*>& v) {
  std::vector<std::string> out;
  for (const auto* e : v) out.push_back(e->name);
  return out;
}

EdgeHealth Healthy(int64_t egress_bps, milliseconds age = milliseconds(0)) {
  EdgeHealth h;
  h.reachable = true;
  h.state = "healthy";
  h.egress_bps = egress_bps;
  h.polled = kNow - age;
  return h;
}

TEST(RankEdges, OwnRegionFirstThenHeadroomLeavingOutTheUnwellAndTheFull) {
  const std::vector<EdgeEntry> edges = {
      {"eu-1", "http://eu-1", "eu", 10'000'000'000, 0},
      {"eu-2", "http://eu-2", "eu", 10'000'000'000, 0},
      {"us-1", "http://us-1", "us", 10'000'000'000, 0},
      {"any", "http://any", "", 0, 0},  // no region, capacity unknown
      {"eu-3", "http://eu-3", "eu", 10'000'000'000, 0},
  };
  std::vector<EdgeHealth> health = {Healthy(6'000'000'000), Healthy(2'000'000'000),
                                    Healthy(1'000'000'000), Healthy(0), Healthy(9'500'000'000)};
  using V = std::vector<std::string>;
  RankOptions all;
  all.most = 10;
  // eu-3 is over 90 % of its capacity: no new viewers.
  EXPECT_EQ(Names(RankEdges(edges, health, "eu", kNow, all)), (V{"eu-2", "eu-1", "any", "us-1"}));
  EXPECT_EQ(Names(RankEdges(edges, health, "us", kNow, all)), (V{"us-1", "any", "eu-2", "eu-1"}));
  EXPECT_EQ(Names(RankEdges(edges, health, "eu", kNow)), (V{"eu-2", "eu-1", "any"}));  // 3 most
  EXPECT_EQ(Names(RankEdges(edges, health, "", kNow, all)), (V{"any", "us-1", "eu-2", "eu-1"}));

  health[3].state = "draining";
  health[1] = Healthy(0, milliseconds(6000));  // its last answer is too old
  health[2].reachable = false;
  EXPECT_EQ(Names(RankEdges(edges, health, "eu", kNow, all)), (V{"eu-1"}));
  health[0].state = "no-upstream";
  EXPECT_TRUE(RankEdges(edges, health, "eu", kNow, all).empty());
}

TEST(SteeringJson, DashAndHlsKeys) {
  const std::vector<EdgeEntry> edges = {{"a", "http://a", "", 0, 0}, {"b", "http://b", "", 0, 0}};
  const std::vector<const EdgeEntry*> ranked = {&edges[1], &edges[0]};
  const auto dash = nlohmann::json::parse(SteeringJson(false, ranked, 30, "/v1/steering/x"));
  EXPECT_EQ(dash["VERSION"], 1);
  EXPECT_EQ(dash["TTL"], 30);
  EXPECT_EQ(dash["RELOAD-URI"], "/v1/steering/x");
  EXPECT_EQ(dash["SERVICE-LOCATION-PRIORITY"], nlohmann::json::array({"b", "a"}));
  const auto hls = nlohmann::json::parse(SteeringJson(true, ranked, 30, ""));
  EXPECT_EQ(hls["PATHWAY-PRIORITY"], nlohmann::json::array({"b", "a"}));
  EXPECT_FALSE(hls.contains("RELOAD-URI"));
  EXPECT_FALSE(dash.contains("ONAIR-QUALITY-CAP"));  // no cap in force
}

TEST(SteeringJson, CarriesTheQualityCapForRunningPlayers) {
  const std::vector<EdgeEntry> edges = {{"a", "http://a", "", 0, 0}};
  const std::vector<const EdgeEntry*> ranked = {&edges[0]};
  const auto j = nlohmann::json::parse(SteeringJson(false, ranked, 5, "", {720, 2'000'000}));
  EXPECT_EQ(j["ONAIR-QUALITY-CAP"]["max_bitrate"], 2'000'000);
  EXPECT_EQ(j["ONAIR-QUALITY-CAP"]["max_height"], 720);
}

}  // namespace
}  // namespace onair::playback
