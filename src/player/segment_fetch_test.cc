// A segment fetched from a real server (the service skeleton on a loopback port) answering
// each way a player meets: whole, not yet, gone, busy, cut short, not media.
#include "player/segment_fetch.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fstream>
#include <sstream>

#include "service/service.h"

namespace onair::player {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using std::chrono::milliseconds;

std::string Corpus(const std::string& path) {
  std::ifstream in(std::string(ONAIR_SOURCE_DIR) + "/fuzz/corpus/" + path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Server {
  Server() : service(Config(), &SystemClock::Instance()) {
    auto get = [this](std::string name, std::string pattern, service::SyncHandler h) {
      service.Add({.name = name, .methods = {http::verb::get}, .pattern = pattern, .sync = h});
    };
    get("ok", "/ok", [this](service::Exchange&) -> service::Reply {
      return service::Text(200, segment, "no-store", "video/mp4");
    });
    get("junk", "/junk", [](service::Exchange&) -> service::Reply {
      return service::Text(200, std::string(5000, 'j'), "no-store", "video/mp4");
    });
    get("not-yet", "/not-yet", [](service::Exchange&) -> service::Reply {
      auto res = service::Error(404, "not yet");
      res.set("X-Onair-Max-Age-Ms", "1500");
      return res;
    });
    get("gone", "/gone",
        [](service::Exchange&) -> service::Reply { return service::Error(410, "gone"); });
    get("busy", "/busy",
        [](service::Exchange&) -> service::Reply { return service::RetryLater("busy", 3000); });
    // Half the segment, then the connection closes: a cut answer.
    service.Add({.name = "cut",
                 .methods = {http::verb::get},
                 .pattern = "/cut",
                 .stream = [this](service::Exchange& ex) -> asio::awaitable<bool> {
                   std::string head =
                       "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(segment.size()) +
                       "\r\n\r\n" + segment.substr(0, segment.size() / 2);
                   co_await asio::async_write(ex.stream(), asio::buffer(head),
                                              asio::as_tuple(asio::use_awaitable));
                   co_return false;
                 }});
    EXPECT_TRUE(service.Start().ok());
  }
  static service::ServiceConfig Config() {
    service::ServiceConfig c;
    c.name = "segments";
    c.listen.threads = 1;
    return c;
  }
  SegmentFetch Fetch(const std::string& path, int* chunks) {
    net::HttpConnection conn(*net::ParseUrl(service.url()));
    return FetchSegment(
        conn, path, track, milliseconds(2000), 2000,
        [chunks](const media::Chunk&, int64_t transfer_us) {
          EXPECT_GE(transfer_us, 0);
          ++*chunks;
          return true;
        },
        &SystemClock::Instance());
  }
  const std::string segment = Corpus("player_media/seg-aac.m4s");
  const media::TrackTiming track = *media::ReadInit(Corpus("init_codec/aac.mp4"));
  service::Service service;
};

TEST(FetchSegment, EachAnswerAPlayerMeets) {
  Server s;
  int chunks = 0;
  SegmentFetch ok = s.Fetch("/ok", &chunks);
  EXPECT_EQ(ok.kind, SegmentFetch::kDone) << ok.error_kind << " " << ok.detail;
  EXPECT_TRUE(ok.bytes == s.segment);
  EXPECT_GE(chunks, 1);

  SegmentFetch not_yet = s.Fetch("/not-yet", &chunks);
  EXPECT_EQ(not_yet.kind, SegmentFetch::kNotYet);
  EXPECT_EQ(not_yet.retry_ms, 1500);
  EXPECT_EQ(s.Fetch("/gone", &chunks).kind, SegmentFetch::kGone);

  SegmentFetch busy = s.Fetch("/busy", &chunks);
  EXPECT_EQ(busy.kind, SegmentFetch::kFailed);
  EXPECT_EQ(busy.error_kind, "http_503");
  ASSERT_TRUE(busy.retry_ms);
  EXPECT_GE(*busy.retry_ms, 2000);

  SegmentFetch cut = s.Fetch("/cut", &chunks);
  EXPECT_EQ(cut.kind, SegmentFetch::kFailed);
  EXPECT_EQ(cut.error_kind, "truncated");
  EXPECT_EQ(s.Fetch("/junk", &chunks).error_kind, "bad_media");
  net::HttpConnection conn(*net::ParseUrl(s.service.url()));
  EXPECT_EQ(*FetchWhole(conn, "/ok", milliseconds(2000)), s.segment);
  EXPECT_FALSE(FetchWhole(conn, "/gone", milliseconds(2000)).ok());
}

}  // namespace
}  // namespace onair::player
