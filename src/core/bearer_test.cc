#include "core/bearer.h"

#include <gtest/gtest.h>

namespace onair {
namespace {

TEST(TokenMatches, BearerAndTheExactToken) {
  EXPECT_TRUE(TokenMatches("Bearer secret", "secret"));
  EXPECT_FALSE(TokenMatches("Bearer secreT", "secret"));
  EXPECT_FALSE(TokenMatches("Bearer secret2", "secret"));
  EXPECT_FALSE(TokenMatches("bearer secret", "secret"));
  EXPECT_FALSE(TokenMatches("secret", "secret"));
  EXPECT_FALSE(TokenMatches("Bearer ", ""));  // no token configured: nothing matches
}

}  // namespace
}  // namespace onair
