#include "playback/qoe_forward.h"

#include <gtest/gtest.h>

namespace onair::playback {
namespace {

TEST(QoeForwarder, HoldsAtMostItsBoundAndCountsWhatItDrops) {
  MetricsRegistry m;
  QoeForwarder f(*net::ParseUrl("http://127.0.0.1:9"), "/v1/events", m, 2);
  for (int i = 0; i < 5; ++i) f.Push("{}");
  EXPECT_EQ(f.pending(), 2u);
  EXPECT_NE(m.Text().find("onair_playback_qoe_forwarded_total{result=\"dropped\"} 3"),
            std::string::npos)
      << m.Text();
}

}  // namespace
}  // namespace onair::playback
