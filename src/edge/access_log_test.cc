#include "edge/access_log.h"

#include <gtest/gtest.h>

namespace onair::edge {
namespace {

TEST(AccessLog, OneTabSeparatedLinePerRequest) {
  AccessRecord r;
  r.at = 1'795'435'200'123'000;  // 2026-11-23T12:00:00.123Z
  r.client = "10.0.0.7";
  r.method = "GET";
  r.target = "/live/show/720p/12.m4s\tinjected\nline";
  r.status = 200;
  r.bytes = 1048576;
  r.cache = "collapsed";
  r.first_byte_us = 412;
  r.total_us = 1900;
  EXPECT_EQ(FormatAccessRecord(r),
            "2026-11-23T12:00:00.123Z\t10.0.0.7\tGET\t/live/show/720p/12.m4s injected line\t200\t"
            "1048576\tcollapsed\t412\t1900");
}

}  // namespace
}  // namespace onair::edge
