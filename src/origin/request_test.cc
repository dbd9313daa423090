#include "origin/request.h"

#include <gtest/gtest.h>

namespace onair::origin {
namespace {

TEST(ParseTarget, NamesEveryKindOfPath) {
  EXPECT_EQ(ParseTarget("/healthz").kind, Target::kHealth);
  EXPECT_EQ(ParseTarget("/metrics?x=1").kind, Target::kMetrics);
  Target admin = ParseTarget("/admin/events/show/pipelines");
  EXPECT_EQ(admin.kind, Target::kAdmin);
  EXPECT_EQ(admin.admin, (std::vector<std::string>{"events", "show", "pipelines"}));
  Target mpd = ParseTarget("/live/show/manifest.mpd");
  EXPECT_EQ(mpd.kind, Target::kManifest);
  EXPECT_EQ(mpd.file, "manifest.mpd");
  Target timing = ParseTarget("/live/show/event.json");
  EXPECT_EQ(timing.kind, Target::kManifest);
  EXPECT_EQ(timing.file, "event.json");
  Target playlist = ParseTarget("/live/show/720p/index.m3u8");
  EXPECT_EQ(playlist.kind, Target::kManifest);
  EXPECT_EQ(playlist.rendition, "720p");
  Target init = ParseTarget("/live/show/720p/init.mp4");
  EXPECT_EQ(init.kind, Target::kObject);
  EXPECT_EQ(init.n, kInit);
  Target seg = ParseTarget("/live/show/720p/881234.m4s?v=3");
  EXPECT_EQ(seg.kind, Target::kObject);
  EXPECT_EQ(seg.event, "show");
  EXPECT_EQ(seg.n, 881234);
}

TEST(ParseTarget, RefusesWhatCouldEscapeOrIsNotANumber) {
  for (const char* bad :
       {"", "live/show/720p/1.m4s", "/live/../720p/1.m4s", "/live/show/../1.m4s",
        "/live/%2e%2e/720p/1.m4s", "/live/show/720p/-1.m4s", "/live/show/720p/1e3.m4s",
        "/live/show/720p/1234567890123456789.m4s", "/live/show/720p/.m4s",
        "/live/show/720p/1.m4s/x", "/live//720p/1.m4s", "/live/-show/720p/1.m4s",
        "http://host/live/show/720p/1.m4s", "/live/show/720p/init.mp4.m4s"}) {
    EXPECT_EQ(ParseTarget(bad).kind, Target::kBad) << bad;
  }
}

TEST(ParseDefects, TakesTheDocumentedTokensOnly) {
  std::vector<std::string> d;
  EXPECT_TRUE(ParseDefects(" black, frozen ,no-input", &d));
  EXPECT_EQ(d, (std::vector<std::string>{"black", "frozen", "no-input"}));
  d.clear();
  EXPECT_TRUE(ParseDefects("", &d));
  EXPECT_TRUE(d.empty());
  d.clear();
  EXPECT_FALSE(ParseDefects("<script>", &d));
  d.clear();
  EXPECT_FALSE(ParseDefects(std::string(33, 'a'), &d));
  d.clear();
  std::string many;
  for (int k = 0; k < 17; ++k) many += "a,";
  EXPECT_FALSE(ParseDefects(many, &d));
  EXPECT_EQ(Join({"a", "b"}), "a,b");
}

}  // namespace
}  // namespace onair::origin
