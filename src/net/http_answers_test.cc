#include "net/http_answers.h"

#include <gtest/gtest.h>

namespace onair::net {
namespace {

TEST(TokenMatches, BearerAndTheExactToken) {
  EXPECT_TRUE(TokenMatches("Bearer secret", "secret"));
  EXPECT_FALSE(TokenMatches("Bearer secreT", "secret"));
  EXPECT_FALSE(TokenMatches("Bearer secret2", "secret"));
  EXPECT_FALSE(TokenMatches("bearer secret", "secret"));
  EXPECT_FALSE(TokenMatches("secret", "secret"));
  EXPECT_FALSE(TokenMatches("Bearer ", ""));  // no token configured: nothing matches
}

TEST(TextAnswer, EndsInANewlineWithItsCacheControl) {
  const TextResponse res = TextAnswer(404, 11, "no such path", "onair-edge", "max-age=60");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res.body(), "no such path\n");
  EXPECT_EQ(res[http::field::cache_control], "max-age=60");
  EXPECT_EQ(res[http::field::server], "onair-edge");
}

}  // namespace
}  // namespace onair::net
