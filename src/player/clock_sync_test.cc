#include "player/clock_sync.h"

#include <gtest/gtest.h>

namespace onair::player {
namespace {

net::Response Answer(std::string body, net::Headers headers = {}) {
  return {200, std::move(headers), std::move(body)};
}

TEST(ClockSync, ReadsTheServersTimeFromEachKindOfSource) {
  EXPECT_EQ(*ServerTime(false, Answer("2026-11-23T10:00:00.250Z")),
            *ParseUtc("2026-11-23T10:00:00.250Z"));
  EXPECT_EQ(*ServerTime(false, Answer("2026-11-23T10:00:00Z\r\n")),
            *ParseUtc("2026-11-23T10:00:00Z"));
  // A Date header is to the second: its middle is the best guess.
  EXPECT_EQ(*ServerTime(true, Answer("", {{"date", "Mon, 23 Nov 2026 10:00:00 GMT"}})),
            *ParseUtc("2026-11-23T10:00:00.500Z"));
  EXPECT_FALSE(ServerTime(true, Answer("", {{"Date", "yesterday"}})).ok());
  EXPECT_FALSE(ServerTime(false, Answer("soon")).ok());
  EXPECT_FALSE(ServerTime(false, {503, {}, "2026-11-23T10:00:00Z"}).ok());
}

TEST(ClockSync, TheOffsetIsFromTheMiddleOfTheRoundTrip) {
  // Asked at 1000, answered at 1200 (our clock): the server said 5100 halfway, at 1100.
  EXPECT_EQ(OffsetOf(1000, 1200, 5100), 4000);
  // A direct source needs no request.
  SimulatedClock clock(*ParseUtc("2026-11-23T10:00:00Z"));
  auto direct = SyncClock({{"urn:mpeg:dash:utc:direct:2014", "2026-11-23T10:00:02Z"}},
                          "http://x/m.mpd", &clock);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->offset_us, 2'000'000);
  EXPECT_FALSE(
      SyncClock({{"urn:mpeg:dash:utc:ntp:2014", "pool.ntp.org"}}, "http://x/m.mpd", &clock).ok());
}

}  // namespace
}  // namespace onair::player
