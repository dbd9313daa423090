#include "edge/cache.h"

#include <gtest/gtest.h>

namespace onair::edge {
namespace {

using std::chrono::seconds;

SteadyTime T(int s) { return SteadyTime{} + seconds(1000 + s); }

// A fill as the edge makes it: an answer, a body, the end.
void Fill(EdgeCache& cache, const std::shared_ptr<EdgeObject>& o, int status, size_t bytes,
          SteadyTime now, seconds fresh) {
  EdgeObject::Answer a;
  a.status = status;
  a.fetched = now;
  a.fresh_until = now + fresh;
  o->SetAnswer(a);
  o->body.Append(std::string(bytes, 'x'));
  o->body.Finish();
  cache.Completed(o, now);
}

TEST(EdgeCache, OneFillManyReaders) {
  EdgeCache cache(1 << 20);
  auto first = cache.Get("/a", true, T(0));
  EXPECT_EQ(first.kind, EdgeCache::Kind::kMiss);
  auto second = cache.Get("/a", true, T(0));
  EXPECT_EQ(second.kind, EdgeCache::Kind::kCollapsed);
  EXPECT_EQ(second.object, first.object);
  Fill(cache, first.object, 200, 100, T(0), seconds(60));
  auto third = cache.Get("/a", true, T(30));
  EXPECT_EQ(third.kind, EdgeCache::Kind::kHit);
  EXPECT_EQ(third.object, first.object);
  EXPECT_EQ(cache.bytes(), 100);
  // Stale: a new fill replaces it.
  auto later = cache.Get("/a", true, T(61));
  EXPECT_EQ(later.kind, EdgeCache::Kind::kMiss);
  EXPECT_NE(later.object, first.object);
  EXPECT_EQ(cache.bytes(), 0);
}

TEST(EdgeCache, AnswersWithoutALifetimeServeOnlyTheirCollapsedRequests) {
  EdgeCache cache(1 << 20);
  auto miss = cache.Get("/busy", true, T(0));
  Fill(cache, miss.object, 503, 10, T(0), seconds(0));
  EXPECT_EQ(cache.Get("/busy", true, T(0)).kind, EdgeCache::Kind::kMiss);
}

TEST(EdgeCache, AFailedFillIsNeverServedAgain) {
  EdgeCache cache(1 << 20);
  auto miss = cache.Get("/cut", true, T(0));
  miss.object->body.Append("half");
  miss.object->body.Fail();
  cache.Remove(miss.object);
  auto again = cache.Get("/cut", true, T(0));
  EXPECT_EQ(again.kind, EdgeCache::Kind::kMiss);
  EXPECT_NE(again.object, miss.object);
}

TEST(EdgeCache, EvictsCatchUpFirstThenLeastRecentlyUsedAndNeverAFill) {
  EdgeCache cache(300);
  auto live1 = cache.Get("/live1", true, T(0));
  Fill(cache, live1.object, 200, 100, T(0), seconds(60));
  auto dvr = cache.Get("/dvr", false, T(0));
  Fill(cache, dvr.object, 200, 100, T(0), seconds(60));
  auto live2 = cache.Get("/live2", true, T(0));
  Fill(cache, live2.object, 200, 100, T(0), seconds(60));
  auto filling = cache.Get("/filling", true, T(0));  // growing: not counted, not evictable
  filling.object->body.Append(std::string(500, 'y'));
  EXPECT_EQ(cache.Get("/live1", true, T(1)).kind, EdgeCache::Kind::kHit);  // live1 now newer
  auto live3 = cache.Get("/live3", true, T(1));
  Fill(cache, live3.object, 200, 100, T(1), seconds(60));
  // 400 > 300: the catch-up object goes first, though it is not the least recently used.
  EXPECT_EQ(cache.bytes(), 300);
  EXPECT_EQ(cache.Get("/dvr", false, T(2)).kind, EdgeCache::Kind::kMiss);
  EXPECT_EQ(cache.Get("/live2", true, T(2)).kind, EdgeCache::Kind::kHit);
  auto live4 = cache.Get("/live4", true, T(2));
  Fill(cache, live4.object, 200, 100, T(2), seconds(60));
  // Then the least recently used live one: live1 (live2 was just read, live3 is newer).
  EXPECT_EQ(cache.bytes(), 300);
  EXPECT_EQ(cache.Get("/live3", true, T(3)).kind, EdgeCache::Kind::kHit);
  EXPECT_EQ(cache.Get("/live1", true, T(3)).kind, EdgeCache::Kind::kMiss);
  EXPECT_EQ(cache.Get("/filling", true, T(2)).kind, EdgeCache::Kind::kCollapsed);
  EXPECT_EQ(cache.evictions(), 2);
}

}  // namespace
}  // namespace onair::edge
