#include "core/live_path.h"

#include <gtest/gtest.h>

namespace onair {
namespace {

TEST(ParseLivePath, NamesEveryPublicPath) {
  LivePath mpd = ParseLivePath("/live/show/manifest.mpd");
  EXPECT_EQ(mpd.kind, LivePath::kEventFile);
  EXPECT_EQ(mpd.event, "show");
  EXPECT_EQ(ParseLivePath("/live/show/event.json").kind, LivePath::kEventFile);
  EXPECT_EQ(ParseLivePath("/live/show/master.m3u8").file, "master.m3u8");
  LivePath playlist = ParseLivePath("/live/show/720p/index.m3u8");
  EXPECT_EQ(playlist.kind, LivePath::kPlaylist);
  EXPECT_EQ(playlist.rendition, "720p");
  EXPECT_EQ(ParseLivePath("/live/show/720p/init.mp4").kind, LivePath::kInit);
  LivePath seg = ParseLivePath("/live/show/720p/881234.m4s?v=3");
  EXPECT_EQ(seg.kind, LivePath::kSegment);
  EXPECT_EQ(seg.event, "show");
  EXPECT_EQ(seg.rendition, "720p");
  EXPECT_EQ(seg.n, 881234);
}

TEST(ParseLivePath, RefusesEverythingElse) {
  for (const char* bad : {"",
                          "/",
                          "/live/",
                          "/live/show",
                          "/live/show/",
                          "/live/show/other.json",
                          "/live/show/720p/",
                          "/live/show/720p/1.m4s/x",
                          "/live/../720p/1.m4s",
                          "/live/show/../1.m4s",
                          "/live/%2e%2e/720p/1.m4s",
                          "/live/show/720p/-1.m4s",
                          "/live/show/720p/1e3.m4s",
                          "/live/show/720p/1234567890123456789.m4s",
                          "/live/show/720p/.m4s",
                          "/live//720p/1.m4s",
                          "/live/-show/720p/1.m4s",
                          "http://host/live/show/720p/1.m4s",
                          "/live/show/720p/init.mp4.m4s",
                          "/vod/show/720p/1.m4s"}) {
    EXPECT_EQ(ParseLivePath(bad).kind, LivePath::kNone) << bad;
  }
}

}  // namespace
}  // namespace onair
