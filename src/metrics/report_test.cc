#include "metrics/report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "metrics/archive.h"
#include "metrics/collector.h"

namespace onair::metrics {
namespace {

using contract::QoeType;

constexpr UtcMicros kT0 = 1'795'000'000'000'000;

std::string TempDir() {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("onair-report-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(Report, TheArchivedSecondsAndAlertsMakeOneSelfContainedPage) {
  const std::string dir = TempDir();
  Collector c(CollectorOptions{.late_s = 2});
  Archive archive(dir);
  for (int s = 0; s < 20; ++s) {
    contract::QoeBatch b{.session = "s" + std::to_string(s), .event = "final", .region = "eu"};
    b.events.push_back({.type = QoeType::kStart,
                        .at_us = kT0 + s * 1'000'000,
                        .ttff_ms = 500.0 + 50 * s,
                        .edge = "edge-a"});
    b.events.push_back({.type = QoeType::kHeartbeat,
                        .at_us = kT0 + s * 1'000'000,
                        .edge = "edge-a",
                        .played_ms = 900,
                        .stalled_ms = 100});
    c.Add(b, kT0 + s * 1'000'000);
    c.Close(kT0 + s * 1'000'000);
    ASSERT_TRUE(archive.Write(c).ok());
  }
  Alert fired{.condition = {.name = "RebufferingHigh",
                            .labels = {{"event", "final"}, {"edge", "edge-a"}},
                            .summary = "rebuffering 10 % <script>"},
              .state = AlertState::kFiring,
              .since = kT0 + 5'000'000,
              .fired_at = kT0 + 6'000'000};
  ASSERT_TRUE(archive.WriteAlerts({fired}, kT0 + 6'000'000).ok());
  Alert other = fired;
  other.condition.labels["event"] = "another";
  ASSERT_TRUE(archive.WriteAlerts({other}, kT0 + 6'000'000).ok());
  {  // a line half written (a full disk), and a second written twice (retried)
    std::ofstream out(Archive::SecondsPath(dir, "final"), std::ios::app);
    out << "{\"second\": 17950000";
  }

  auto data = ReadReport(dir, "final");
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ(data->seconds.size(), 17u);  // seconds 0..16 closed (late 2 s)
  EXPECT_EQ(data->skipped_lines, 1u);
  ASSERT_EQ(data->alerts.size(), 1u);  // not the other event's
  const std::string html = ReportHtml(*data);
  EXPECT_NE(html.find("<h1>final</h1>"), std::string::npos);
  EXPECT_NE(html.find("RebufferingHigh"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);  // escaped in the table
  EXPECT_NE(html.find("uPlot"), std::string::npos);           // the chart library, inlined
  EXPECT_EQ(html.find("src=\""), std::string::npos);          // nothing to fetch
  EXPECT_NE(html.find("<td>edge-a</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>Concurrent viewers</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>rebuffer_ratio</td><td>0.1000</td>"), std::string::npos)
      << html.substr(0, 3000);

  EXPECT_EQ(ReadReport(dir, "nothing").status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST(Report, AFolderThatCannotBeWrittenIsAnErrorNotACrash) {
  Collector c(CollectorOptions{.late_s = 1});
  contract::QoeBatch b{.session = "s", .event = "final"};
  b.events.push_back({.type = QoeType::kStart, .at_us = kT0, .ttff_ms = 500});
  c.Add(b, kT0);
  c.Close(kT0 + 5'000'000);
  Archive archive("/proc/onair-cannot-write-here");
  EXPECT_FALSE(archive.Write(c).ok());
  // Tried again next time, still failing, never throwing.
  EXPECT_FALSE(archive.Write(c).ok());
}

}  // namespace
}  // namespace onair::metrics
