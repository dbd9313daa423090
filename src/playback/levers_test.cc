#include "playback/levers.h"

#include <gtest/gtest.h>

#include "playback/fleet.h"

namespace onair::playback {
namespace {

TEST(ApplyLevers, GivenFieldsReplaceTheirsOthersStay) {
  Levers l;
  auto a = ApplyLevers(l, R"({"quality": {"max_height": 720}, "drained_edges": ["Edge-2"]})");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->quality.all.max_height, 720);
  EXPECT_EQ(a->quality.all.max_bitrate, 0);
  EXPECT_TRUE(a->personalise);
  EXPECT_EQ(a->drained, std::vector<std::string>{"Edge-2"});  // names keep their case
  auto b = ApplyLevers(*a, R"({"personalisation": false,
                               "quality_by_type": {"phone": {"max_bitrate": 800000}}})");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_FALSE(b->personalise);
  EXPECT_EQ(b->quality.all.max_height, 720);
  ASSERT_EQ(b->quality.by_type.size(), 1u);
  EXPECT_EQ(b->quality.by_type[0].first, "phone");
  EXPECT_EQ(b->quality.by_type[0].second.max_bitrate, 800000);
  EXPECT_EQ(b->drained, a->drained);
  auto c = ApplyLevers(*b, R"({"quality": null, "drained_edges": []})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->quality.all.max_height, 0);
  EXPECT_TRUE(c->drained.empty());
  EXPECT_EQ(LeversToJson(*c), R"({"drained_edges":[],"personalisation":false,"quality":{},)"
                              R"("quality_by_type":{"phone":{"max_bitrate":800000}}})");
}

TEST(ApplyLevers, RefusesWhatItCannotApplyNamingTheField) {
  const std::pair<const char*, const char*> bad[] = {
      {"", "not a JSON object"},
      {"[]", "not a JSON object"},
      {R"({"quality": {"max_height": 5}})", "max_height"},
      {R"({"quality": {"height": 720}})", "unknown cap 'height'"},
      {R"({"quality": 720})", "quality"},
      {R"({"quality_by_type": {"../x": {}}})", "device type"},
      {R"({"personalisation": "off"})", "personalisation"},
      {R"({"drained_edges": "edge-1"})", "drained_edges"},
      {R"({"max_quality": 1})", "unknown lever 'max_quality'"},
  };
  for (const auto& [body, says] : bad) {
    auto r = ApplyLevers({}, body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_NE(r.status().message().find(says), std::string::npos) << r.status().message();
  }
}

TEST(ParseEdge, FromTheAdminApiAndTheFlag) {
  auto e = ParseEdgeEntry("edge-1", R"({"base_url": "http://10.0.0.7:8081/", "region": "eu",
                                        "max_egress_bps": 40000000000, "max_connections": 9})");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->base_url, "http://10.0.0.7:8081");
  EXPECT_EQ(e->region, "eu");
  EXPECT_EQ(e->max_egress_bps, 40'000'000'000);
  EXPECT_EQ(e->max_connections, 9);
  auto f = ParseEdgeFlag(
      "edge-2=http://127.0.0.1:9/,region=us,max-egress-mbps=100,"
      "max-connections=5000");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->name, "edge-2");
  EXPECT_EQ(f->base_url, "http://127.0.0.1:9");
  EXPECT_EQ(f->region, "us");
  EXPECT_EQ(f->max_egress_bps, 100'000'000);
  EXPECT_EQ(f->max_connections, 5000);
  for (const char* bad :
       {"edge-1", "=http://a:1", "e/1=http://a:1", "e=ftp://a", "e=http://a:1,speed=9",
        "e=http://a:1,max-connections=-1", "e=http://a:1,region=../x"}) {
    EXPECT_FALSE(ParseEdgeFlag(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseEdgeEntry("e", R"({"region": "eu"})").ok());
  EXPECT_FALSE(ParseEdgeEntry("e", R"({"base_url": "http://a:1", "max_connections": -3})").ok());
  EXPECT_FALSE(ParseEdgeEntry("bad name", R"({"base_url": "http://a:1"})").ok());
}

}  // namespace
}  // namespace onair::playback
