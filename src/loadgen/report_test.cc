#include "loadgen/report.h"

#include <gtest/gtest.h>

#include "loadgen/stats.h"

namespace onair::loadgen {
namespace {

TEST(Report, OnePageWithTheTablesTheChartsAndTheirData) {
  RunStats s;
  for (int i = 1; i <= 10; ++i) s.Latency("play", i);
  s.Error("connect</script>", 1);
  ++s.counts["sessions"];
  s.At(0).play_sent = 3;
  s.At(1).running = 2;
  nlohmann::json j = s.ToJson(2.0);
  j["plan"] = "10 sessions <over> 2 s";
  const std::string html = ReportHtml(j, "onair loadgen devices: show");
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("<title>onair loadgen devices: show</title>"), std::string::npos);
  EXPECT_NE(html.find("10 sessions &lt;over&gt; 2 s"), std::string::npos);
  EXPECT_NE(html.find("<table id=\"latency\">"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>play</td><td>10</td>"), std::string::npos);
  EXPECT_NE(html.find("connect&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("\"seconds_columns\""), std::string::npos);
  EXPECT_NE(html.find("uPlot"), std::string::npos);  // inlined: no network needed
  EXPECT_EQ(html.find("<script src="), std::string::npos);
  // The data's element holds the rows per second and ends where uPlot's begins.
  const size_t data = html.find("id=\"data\">");
  ASSERT_NE(data, std::string::npos);
  EXPECT_EQ(html.find("</script>", data), html.find("</script>\n<script>", data));
  EXPECT_LT(html.find("\"seconds\":[[", data), html.find("</script>", data));
}

}  // namespace
}  // namespace onair::loadgen
