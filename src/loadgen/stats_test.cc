#include "loadgen/stats.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace onair::loadgen {
namespace {

TEST(Stats, MergeAddsEverything) {
  RunStats a, b;
  for (int i = 1; i <= 100; ++i) a.Latency("play", i);
  b.Latency("play", 1000);
  a.Error("http_503", 2);
  b.Error("http_503", 5);
  a.At(1).play_sent = 3;
  b.At(1).play_sent = 4;
  b.counts["sessions"] = 2;
  a.Merge(b);
  EXPECT_EQ(a.latency["play"].count(), 101u);
  EXPECT_NEAR(a.latency["play"].max(), 1000, 1e-9);
  EXPECT_EQ(a.errors["http_503"], 2);
  EXPECT_EQ(a.At(1).play_sent, 7);
  EXPECT_EQ(a.At(5).errors, 1);
  EXPECT_EQ(a.Total(&SecondRow::errors), 2);
  const nlohmann::json j = a.ToJson(10);
  EXPECT_NEAR(j["latency_ms"]["play"]["p50"].get<double>(), 51, 1);
  EXPECT_EQ(j["totals"]["play_sent"], 7);
  EXPECT_EQ(j["seconds"].size(), 6u);
  const std::string text = a.SummaryText(10);
  EXPECT_NE(text.find("p99.9"), std::string::npos);
  EXPECT_NE(text.find("http_503 2"), std::string::npos);
}

TEST(RunStats, ResultsCrossTheWireWhole) {
  RunStats a;
  for (int i = 1; i <= 100; ++i) a.Latency("play", i);
  a.Error("connect", 2);
  ++a.counts["sessions"];
  a.At(3).play_ok = 7;
  a.At(3).running = 5;
  auto back = RunStats::Decode(a.Encode());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->latency["play"].SameAs(a.latency["play"]));
  EXPECT_EQ(back->errors, a.errors);
  EXPECT_EQ(back->counts, a.counts);
  ASSERT_EQ(back->seconds.size(), 4u);
  EXPECT_EQ(back->seconds[3].play_ok, 7);
  EXPECT_EQ(back->seconds[3].running, 5);
  // Past the size bound the rows are left out, the rest is whole.
  auto small = RunStats::Decode(a.Encode(10));
  ASSERT_TRUE(small.ok());
  EXPECT_TRUE(small->seconds.empty());
  EXPECT_EQ(small->latency["play"].count(), 100u);
  EXPECT_FALSE(RunStats::Decode("not cbor").ok());
  EXPECT_FALSE(RunStats::Decode("").ok());
}

}  // namespace
}  // namespace onair::loadgen
