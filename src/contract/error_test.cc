#include "contract/error.h"

#include <gtest/gtest.h>

namespace onair::contract {
namespace {

TEST(ErrorShape, OneObjectWithTheMessageAndWhatHelpsTheClientAct) {
  EXPECT_EQ(WriteError("no such path"), "{\"error\":\"no such path\"}\n");
  EXPECT_EQ(WriteError("overloaded", {{"retry_after_ms", int64_t{1500}}, {"ready", false}}),
            "{\"error\":\"overloaded\",\"ready\":false,\"retry_after_ms\":1500}\n");
  EXPECT_EQ(*ReadError(WriteError("a \"quoted\" name")), "a \"quoted\" name");
  // What a client sent may be quoted back: bytes that are not UTF-8 never throw.
  const std::string odd = WriteError(std::string("bad \xff\xfe byte"));
  EXPECT_TRUE(ReadError(odd).ok()) << odd;
  EXPECT_FALSE(ReadError("not json").ok());
  EXPECT_FALSE(ReadError("{\"message\": \"x\"}").ok());
  EXPECT_FALSE(ReadError("[\"error\"]").ok());
}

}  // namespace
}  // namespace onair::contract
