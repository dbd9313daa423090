#include "metrics/prom_text.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/metrics.h"

namespace onair::metrics {
namespace {

TEST(PromText, ReadsWhatTheServicesWrite) {
  MetricsRegistry r;
  r.counter("onair_edge_requests_total", "Object requests by cache outcome.", {{"cache", "hit"}})
      .Inc(7);
  r.gauge("onair_edge_upstreams_healthy", "Upstreams passing checks.").Set(2);
  r.histogram("onair_edge_first_byte_seconds", "First byte.", {}, {0.01, 0.1}).Observe(0.05);
  size_t bad = 99;
  const auto samples = ParsePromText(r.Text(), &bad);
  EXPECT_EQ(bad, 0u);
  bool hit = false, healthy = false, bucket = false;
  for (const PromSample& s : samples) {
    if (s.name == "onair_edge_requests_total" && s.label("cache") == "hit") hit = s.value == 7;
    if (s.name == "onair_edge_upstreams_healthy") healthy = s.value == 2;
    if (s.name == "onair_edge_first_byte_seconds_bucket" && s.label("le") == "+Inf") {
      bucket = s.value == 1;
    }
  }
  EXPECT_TRUE(hit);
  EXPECT_TRUE(healthy);
  EXPECT_TRUE(bucket);
}

TEST(PromText, EscapesTimestampsAndSpecialValues) {
  const auto s = ParsePromText(
      "# HELP x y\n"
      "a{path=\"C:\\\\dir\\\"q\\\"\\n\",b=\"\"} 1.5e3 1700000000000\r\n"
      "b +Inf\n"
      "  c NaN\n"
      "d{} -Inf\n");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].label("path"), "C:\\dir\"q\"\n");
  EXPECT_EQ(s[0].label("b"), "");
  EXPECT_EQ(s[0].value, 1500);
  EXPECT_TRUE(std::isinf(s[1].value));
  EXPECT_TRUE(std::isnan(s[2].value));
  EXPECT_LT(s[3].value, 0);
}

TEST(PromText, CountsLinesItCannotReadAndKeepsTheRest) {
  size_t bad = 0;
  const auto s = ParsePromText(
      "ok 1\n"
      "9bad 1\n"
      "novalue\n"
      "x{a=\"unterminated} 1\n"
      "y{a=b} 1\n"
      "z 1x\n"
      "w{a=\"\\q\"} 1\n"
      "fine{a=\"1\",} 2\n",
      &bad);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].name, "fine");
  EXPECT_EQ(bad, 6u);
}

}  // namespace
}  // namespace onair::metrics
