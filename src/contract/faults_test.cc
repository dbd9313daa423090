#include "contract/faults.h"

#include <gtest/gtest.h>

namespace onair::contract {
namespace {

TEST(FaultRules, ReadWhatTheOperatorWritesAndWriteItBackTheSame) {
  const std::string body = R"({"faults": [
      {"route": "segment", "path_prefix": "/live/show/", "kind": "delay", "delay_ms": 200,
       "share": 0.5, "count": 10},
      {"route": "*", "kind": "abort", "status": 502, "seconds": 30},
      {"route": "play", "kind": "reset"}]})";
  auto rules = ParseFaults(body);
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].kind, FaultSpec::Kind::kDelay);
  EXPECT_EQ((*rules)[0].delay_ms, 200);
  EXPECT_EQ((*rules)[0].share, 0.5);
  EXPECT_EQ((*rules)[0].count, 10);
  EXPECT_EQ((*rules)[0].path_prefix, "/live/show/");
  EXPECT_EQ((*rules)[1].status, 502);
  EXPECT_EQ((*rules)[1].seconds, 30);
  EXPECT_EQ((*rules)[1].count, -1);
  EXPECT_EQ((*rules)[2].kind, FaultSpec::Kind::kReset);
  EXPECT_EQ((*rules)[2].share, 1.0);
  auto again = ParseFaults(WriteFaults(*rules));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(WriteFaults(*again), WriteFaults(*rules));
  EXPECT_TRUE(ParseFaults(R"({"faults": []})")->empty());
}

TEST(FaultRules, EveryMistakeIsNamed) {
  const std::pair<const char*, const char*> bad[] = {
      {"", "JSON object"},
      {"[]", "JSON object"},
      {R"({"rules": []})", "rules"},
      {R"({"faults": {}})", "list"},
      {R"({"faults": [{"kind": "abort"}]})", "faults[0].route"},
      {R"({"faults": [{"route": "x"}]})", "faults[0].kind"},
      {R"({"faults": [{"route": "x", "kind": "explode"}]})", "kind"},
      {R"({"faults": [{"route": "x y", "kind": "abort"}]})", "route"},
      {R"({"faults": [{"route": "x", "kind": "delay"}]})", "delay_ms"},
      {R"({"faults": [{"route": "x", "kind": "delay", "delay_ms": 0}]})", "delay_ms"},
      {R"({"faults": [{"route": "x", "kind": "abort", "status": 200}]})", "status"},
      {R"({"faults": [{"route": "x", "kind": "abort", "share": 0}]})", "share"},
      {R"({"faults": [{"route": "x", "kind": "abort", "share": 1.5}]})", "share"},
      {R"({"faults": [{"route": "x", "kind": "abort", "count": -1}]})", "count"},
      {R"({"faults": [{"route": "x", "kind": "abort", "path_prefix": "live"}]})", "path_prefix"},
      {R"({"faults": [{"route": "x", "kind": "abort", "color": "red"}]})", "color"},
  };
  for (const auto& [body, field] : bad) {
    auto r = ParseFaults(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_NE(r.status().message().find(field), std::string::npos)
        << body << ": " << r.status().message();
  }
  std::string many = R"({"faults": [)";
  for (int k = 0; k < 65; ++k)
    many += std::string(k ? "," : "") + R"({"route":"x","kind":"reset"})";
  EXPECT_FALSE(ParseFaults(many + "]}").ok());
}

}  // namespace
}  // namespace onair::contract
