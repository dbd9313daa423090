#include "edge/freshness.h"

#include <gtest/gtest.h>

namespace onair::edge {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

UpstreamAnswer Answer(int status, std::vector<std::pair<std::string, std::string>> headers,
                      MonoTime fetched) {
  UpstreamAnswer a;
  a.status = status;
  a.headers = std::move(headers);
  a.fetched = fetched;
  SetFreshness(&a);
  return a;
}

TEST(Freshness, TheOriginsMillisecondLifetimeFirstThenCacheControl) {
  SimulatedClock clock(0);
  const MonoTime t = clock.Monotonic();
  // A "not yet" 404: its lifetime to the millisecond, counted down as it ages.
  UpstreamAnswer not_yet =
      Answer(404, {{"Cache-Control", "public, max-age=3"}, {"X-Onair-Max-Age-Ms", "3750"}}, t);
  EXPECT_TRUE(not_yet.negative_ms);
  EXPECT_EQ(not_yet.fresh_until, t + milliseconds(3750));
  clock.Advance(milliseconds(1000));
  EXPECT_EQ(LifetimeLeftMs(not_yet, clock.Monotonic()), 2750);
  clock.Advance(seconds(10));
  EXPECT_EQ(LifetimeLeftMs(not_yet, clock.Monotonic()), 0);
  // Segments: Cache-Control.
  EXPECT_EQ(Answer(200, {{"cache-control", "public, max-age=86400"}}, t).fresh_until,
            t + seconds(86400));
  EXPECT_EQ(Answer(200, {{"Cache-Control", "max-age=10"}}, t).fresh_until, t + seconds(10));
  // Kept for the collapsed requests only: errors, 304, no-store, private, nothing said.
  for (const auto& a :
       {Answer(503, {{"Cache-Control", "max-age=60"}}, t),
        Answer(304, {{"Cache-Control", "max-age=60"}}, t),
        Answer(200, {{"Cache-Control", "no-store"}}, t),
        Answer(200, {{"Cache-Control", "private, max-age=60"}}, t), Answer(200, {}, t)}) {
    EXPECT_EQ(a.fresh_until, t) << a.status;
  }
}

TEST(Freshness, HostileHeadersCannotOverflowALifetime) {
  const MonoTime t = SimulatedClock(0).Monotonic();
  const auto day = std::chrono::hours(24);
  EXPECT_LE(Answer(200, {{"Cache-Control", "max-age=99999999999999999999999"}}, t).fresh_until,
            t + day);
  EXPECT_LE(Answer(404, {{"X-Onair-Max-Age-Ms", "99999999999999999999999"}}, t).fresh_until,
            t + day);
  EXPECT_EQ(Answer(404, {{"X-Onair-Max-Age-Ms", "-5"}}, t).fresh_until, t);
  EXPECT_EQ(Answer(404, {{"X-Onair-Max-Age-Ms", "soon"}}, t).fresh_until, t);
  EXPECT_EQ(Answer(200, {{"Cache-Control", "max-age=-1"}}, t).fresh_until, t);
  EXPECT_EQ(Answer(200, {{"Cache-Control", "max-age="}}, t).fresh_until, t);
}

TEST(CacheKey, ThePathAndOnlyTheOriginsVersion) {
  EXPECT_EQ(CacheKey("/live/show/v/12.m4s"), "/live/show/v/12.m4s");
  EXPECT_EQ(CacheKey("/live/show/v/12.m4s?CMCD=bl%3D100&v=3"), "/live/show/v/12.m4s?v=3");
  EXPECT_EQ(CacheKey("/live/show/v/12.m4s?v=3x"), "/live/show/v/12.m4s");
  EXPECT_EQ(CacheKey("/live/show/v/12.m4s?v="), "/live/show/v/12.m4s");
  EXPECT_EQ(CacheKey("/live/show/v/12.m4s?random=1"), "/live/show/v/12.m4s");
  EXPECT_EQ(CacheKey("/a?v=123456789012345678901"), "/a");
}

TEST(Forwarded, OnlyWhatAViewerShouldSee) {
  EXPECT_TRUE(Forwarded("ETag"));
  EXPECT_TRUE(Forwarded("x-onair-max-age-ms"));
  EXPECT_FALSE(Forwarded("Connection"));
  EXPECT_FALSE(Forwarded("Transfer-Encoding"));
  EXPECT_FALSE(Forwarded("Set-Cookie"));
}

}  // namespace
}  // namespace onair::edge
