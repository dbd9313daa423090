#include "player/edges.h"

#include <gtest/gtest.h>

namespace onair::player {
namespace {

std::vector<BaseUrl> Three() {
  return {{"http://a/", "a"}, {"http://b/", "b"}, {"http://c/", "c"}};
}

TEST(EdgeSet, FailedEdgeWaitsBehindTheOthersForItsPenalty) {
  EdgeSet e(Three(), 10'000'000);
  EXPECT_EQ(e.Best(0).service_location, "a");
  e.Failed("http://a/", 1'000'000);
  EXPECT_EQ(e.Best(1'000'000).service_location, "b");
  e.Failed("http://b/", 2'000'000);
  EXPECT_EQ(e.Best(2'000'000).service_location, "c");
  e.Failed("http://c/", 3'000'000);
  EXPECT_EQ(e.Best(3'000'000).service_location, "a");   // all failed: the oldest failure
  EXPECT_EQ(e.Best(11'000'000).service_location, "a");  // penalty over
}

TEST(EdgeSet, SteeringOrdersAndLeavesOutWhatItDoesNotName) {
  EdgeSet e(Three());
  e.Steer({"c", "b"});
  EXPECT_EQ(e.Best(0).service_location, "c");
  e.Failed("http://c/", 0);
  EXPECT_EQ(e.Best(0).service_location, "b");
  e.Failed("http://b/", 0);
  EXPECT_EQ(e.Best(0).service_location, "a");  // drained, but the only one left
  e.Steer({"zzz"});                            // names none it knows: all steered out alike
  EXPECT_EQ(e.Best(20'000'000).service_location, "c");
}

}  // namespace
}  // namespace onair::player
