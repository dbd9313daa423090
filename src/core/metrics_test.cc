#include "core/metrics.h"

#include <gtest/gtest.h>

namespace onair {
namespace {

TEST(Metrics, RendersThePrometheusTextFormat) {
  MetricsRegistry r;
  r.counter("onair_reads_total", "Reads by answer.", {{"code", "200"}}).Inc(3);
  r.counter("onair_reads_total", "Reads by answer.", {{"code", "404"}}).Inc();
  r.gauge("onair_events", "Events.").Set(2);
  Histogram& h = r.histogram("onair_write_seconds", "Write latency.", {}, {0.001, 0.01});
  h.Observe(0.0005);
  h.Observe(0.005);
  h.Observe(1);
  const std::string text = r.Text();
  EXPECT_NE(text.find("# TYPE onair_reads_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("onair_reads_total{code=\"200\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("onair_reads_total{code=\"404\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("onair_events 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("onair_write_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("onair_write_seconds_bucket{le=\"0.01\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("onair_write_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("onair_write_seconds_count 3\n"), std::string::npos) << text;
}

TEST(Metrics, TheSameSeriesIsTheSameObject) {
  MetricsRegistry r;
  Counter& a = r.counter("x_total", "x", {{"k", "v"}});
  Counter& b = r.counter("x_total", "x", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &r.counter("x_total", "x", {{"k", "w"}}));
}

TEST(Metrics, HistogramQuantilesFromBuckets) {
  Histogram h({0.001, 0.002, 0.005});
  for (int k = 0; k < 98; ++k) h.Observe(0.0005);
  h.Observe(0.0015);
  h.Observe(0.004);
  EXPECT_EQ(h.Quantile(0.5), 0.001);
  EXPECT_EQ(h.Quantile(0.99), 0.005);
}

TEST(Metrics, LabelValuesAreEscaped) {
  MetricsRegistry r;
  r.counter("y_total", "y", {{"path", "a\"b\\c"}}).Inc();
  EXPECT_NE(r.Text().find("y_total{path=\"a\\\"b\\\\c\"} 1"), std::string::npos) << r.Text();
}

}  // namespace
}  // namespace onair
