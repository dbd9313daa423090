#include "origin/manifests.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "contract/error.h"
#include "origin/request.h"

namespace onair::origin {
namespace {

namespace http = boost::beast::http;

std::string Corpus(const std::string& name) {
  std::ifstream in(std::string(ONAIR_SOURCE_DIR) + "/fuzz/corpus/init_codec/" + name,
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ManifestsTest : ::testing::Test {
  void SetUp() override {
    auto c = ParseEventConfig(R"({"event": "show", "ast": "2026-11-23T10:00:00Z",
      "segment_duration": 2, "ladder": [{"name": "v", "width": 640, "height": 360,
      "bitrate": 800000}]})");
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(store.PutEvent(*c).ok());
  }
  void Write(const std::string& rendition, int64_t n, const std::string& bytes) {
    auto cand = store.BeginWrite("show", rendition, n, 0);
    ASSERT_TRUE(cand.ok());
    (*cand)->Append(bytes);
    store.FinishWrite("show", rendition, n, *cand, {});
  }
  service::Response Get(const std::string& target) {
    return ManifestAnswer(store, ParseTarget(target), clock.Now());
  }
  SimulatedClock clock{*ParseUtc("2026-11-23T10:01:00Z")};
  MetricsRegistry metrics;
  Store store{&clock, &metrics, nullptr};
};

TEST_F(ManifestsTest, EventJsonAlwaysManifestsOnceEveryTrackHasItsInitSegment) {
  service::Response ev = Get("/live/show/event.json");
  EXPECT_EQ(ev.result_int(), 200);
  EXPECT_EQ(ev[http::field::cache_control], "public, max-age=10");
  EXPECT_TRUE(ParseEventConfig(ev.body()).ok());
  service::Response early = Get("/live/show/manifest.mpd");
  EXPECT_EQ(early.result_int(), 404);
  EXPECT_EQ(early["X-Onair-Max-Age-Ms"], "1000");
  EXPECT_EQ(*contract::ReadError(early.body()), "no init segments yet");

  Write("v", kInit, Corpus("h264.mp4"));
  Write("audio", kInit, Corpus("aac.mp4"));
  service::Response mpd = Get("/live/show/manifest.mpd");
  ASSERT_EQ(mpd.result_int(), 200) << mpd.body();
  EXPECT_EQ(mpd[http::field::content_type], "application/dash+xml");
  // The clock players sync to, relative to the server that answers the manifest (dash.js and
  // DASH-IF IOP resolve it against the MPD's URL): an edge or this origin.
  EXPECT_NE(mpd.body().find("<UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:http-iso:2014\" "
                            "value=\"/v1/time\"/>"),
            std::string::npos)
      << mpd.body();
  EXPECT_EQ(Get("/live/show/master.m3u8").result_int(), 200);
  service::Response playlist = Get("/live/show/v/index.m3u8");
  EXPECT_EQ(playlist.result_int(), 200);
  EXPECT_EQ(playlist[http::field::cache_control], "public, max-age=1");
  EXPECT_EQ(Get("/live/show/x/index.m3u8").result_int(), 404);
  service::Response none = Get("/live/other/manifest.mpd");
  EXPECT_EQ(none.result_int(), 404);
  EXPECT_EQ(none["X-Onair-Event"], "none");
}

}  // namespace
}  // namespace onair::origin
