#include "player/cmcd.h"

#include <gtest/gtest.h>

namespace onair::player {
namespace {

TEST(Cmcd, KeysInAlphabeticalOrderWithTheirTypes) {
  Cmcd c;
  c.bitrate_kbps = 2500;
  c.buffer_ms = 1234;  // rounded to 100 ms
  c.duration_ms = 2000;
  c.object_type = 'v';
  c.top_bitrate_kbps = 6000;
  c.throughput_kbps = 25'049;  // rounded to 100 kb/s
  c.next_object = "720p/43.m4s";
  c.startup = true;
  c.content_id = "final";
  c.session_id = "6e2f";
  c.buffer_starvation = true;
  EXPECT_EQ(CmcdPayload(c),
            "bl=1200,br=2500,bs,cid=\"final\",d=2000,mtp=25000,nor=\"720p%2F43.m4s\",ot=v,sf=d,"
            "sid=\"6e2f\",st=l,su,tb=6000");
}

TEST(Cmcd, QueryIsPercentEncoded) {
  Cmcd c;
  c.session_id = "a b";
  c.playback_rate = 1.05;
  EXPECT_EQ(CmcdPayload(c), "pr=1.05,sf=d,sid=\"a b\",st=l");
  EXPECT_EQ(CmcdQuery(c), "CMCD=pr%3D1.05%2Csf%3Dd%2Csid%3D%22a%20b%22%2Cst%3Dl");
}

}  // namespace
}  // namespace onair::player
