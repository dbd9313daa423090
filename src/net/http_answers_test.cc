#include "net/http_answers.h"

#include <gtest/gtest.h>

namespace onair::net {
namespace {

TEST(TextAnswer, EndsInANewlineWithItsCacheControl) {
  const TextResponse res = TextAnswer(404, 11, "no such path", "onair-edge", "max-age=60");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res.body(), "no such path\n");
  EXPECT_EQ(res[http::field::cache_control], "max-age=60");
  EXPECT_EQ(res[http::field::server], "onair-edge");
}

}  // namespace
}  // namespace onair::net
