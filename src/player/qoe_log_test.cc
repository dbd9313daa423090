#include "player/qoe_log.h"

#include <gtest/gtest.h>

namespace onair::player {
namespace {

contract::QoeEvent At(UtcMicros t) {
  contract::QoeEvent e;
  e.type = contract::QoeType::kHeartbeat;
  e.at_us = t;
  return e;
}

TEST(QoeLog, KeepsTheNewestAndCountsWhatItDrops) {
  QoeLog log(3);
  for (int t = 1; t <= 5; ++t) log.Add(At(t));
  EXPECT_EQ(log.dropped(), 2);
  auto batch = log.Take();
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch.front().at_us, 3);
  EXPECT_EQ(log.size(), 0u);
  // A batch that failed goes back in front of what came since; the oldest go first.
  log.Add(At(6));
  log.PutBack(batch);
  auto again = log.Take();
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again.front().at_us, 4);
  EXPECT_EQ(again.back().at_us, 6);
  EXPECT_EQ(log.dropped(), 3);
}

}  // namespace
}  // namespace onair::player
