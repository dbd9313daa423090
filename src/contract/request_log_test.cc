#include "contract/request_log.h"

#include <gtest/gtest.h>

namespace onair::contract {
namespace {

TEST(RequestLog, ALineRoundTripsWithItsBody) {
  RequestRecord r;
  r.at = 1'795'435'200'123'456;
  r.service = "playback";
  r.host = "127.0.0.1:8082";
  r.client = "10.0.0.7";
  r.method = "POST";
  r.target = "/v1/playback/show";
  r.priority = "live";
  r.content_type = "application/json";
  r.body = R"({"device":{"kind":"tv"}})";
  r.body_bytes = 24;
  r.status = 200;
  r.bytes = 2048;
  r.total_us = 900;
  const std::string line = FormatRequestRecord(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find(R"("time":"2026-11-23T12:00:00.123Z")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("body":{"device":{"kind":"tv"}})"), std::string::npos) << line;
  auto back = ParseRequestRecord(line);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->at, r.at);
  EXPECT_EQ(back->service, "playback");
  EXPECT_EQ(back->host, r.host);
  EXPECT_EQ(back->method, "POST");
  EXPECT_EQ(back->target, r.target);
  EXPECT_EQ(back->priority, "live");
  EXPECT_EQ(back->content_type, r.content_type);
  EXPECT_EQ(back->body, r.body);
  EXPECT_EQ(back->body_bytes, 24u);
  EXPECT_EQ(back->status, 200);
  EXPECT_EQ(back->bytes, 2048u);
  EXPECT_EQ(back->first_byte_us, -1);
  EXPECT_EQ(back->total_us, 900);
}

TEST(RequestLog, TargetsAndBodiesKeepNoToken) {
  EXPECT_EQ(TargetWithoutTokens("/live/a/1.m4s?token=abc&CMCD=sid%3D1&Sig=x&hdnts=exp%3D1"),
            "/live/a/1.m4s?CMCD=sid%3D1");
  EXPECT_EQ(TargetWithoutTokens("/live/a/1.m4s?access_token=1"), "/live/a/1.m4s");
  EXPECT_EQ(TargetWithoutTokens("/live/a/init.mp4"), "/live/a/init.mp4");
  EXPECT_EQ(JsonWithoutTokens(R"({"device":{"kind":"tv","auth_token":"s"},"api_key":1,"key":2,)"
                              R"("list":[{"token":"t","x":1}]})"),
            R"({"api_key":1,"device":{"kind":"tv"},"list":[{"x":1}]})");
  EXPECT_EQ(JsonWithoutTokens("not json"), "");
  EXPECT_EQ(JsonWithoutTokens("42"), "");
}

TEST(RequestLog, ABadLineIsNamedByItsField) {
  auto why = [](std::string_view line) { return ParseRequestRecord(line).status().message(); };
  EXPECT_EQ(why("{"), "not JSON");
  EXPECT_EQ(why("[]"), "not a JSON object");
  EXPECT_EQ(why(R"({"method":"GET","target":"/"})"), "at_us: required");
  EXPECT_EQ(why(R"({"at_us":"x","method":"GET","target":"/"})"), "at_us: must be a whole number");
  EXPECT_EQ(why(R"({"at_us":-1,"method":"GET","target":"/"})"),
            "at_us: must be in [0, 253402300799000000]");
  EXPECT_EQ(why(R"({"at_us":1,"target":"/"})"), "method: required");
  EXPECT_EQ(why(R"({"at_us":1,"method":"get","target":"/"})"),
            "method: must be an HTTP method in capitals");
  EXPECT_EQ(why(R"({"at_us":1,"method":"GET","target":"x"})"), "target: must start with '/'");
  EXPECT_EQ(why(R"({"at_us":1,"method":"GET","target":"/a b"})"),
            "target: must have no spaces or control characters");
  EXPECT_EQ(why(R"({"at_us":1,"method":"GET","target":"/","body":"x"})"),
            "body: must be a JSON object or array");
  EXPECT_EQ(why(R"({"at_us":1,"method":"GET","target":"/","status":1000})"),
            "status: must be in [0, 999]");
  EXPECT_EQ(why(R"({"at_us":1,"method":"GET","target":"/","priority":"a\nb"})"),
            "priority: must have no control characters");
  auto least = ParseRequestRecord(R"({"at_us":7,"method":"GET","target":"/","new":[1]})");
  ASSERT_TRUE(least.ok());
  EXPECT_EQ(least->body_bytes, 0u);
  EXPECT_EQ(least->status, 0);
  EXPECT_EQ(least->bytes, 0u);
  EXPECT_EQ(least->total_us, 0);
}

}  // namespace
}  // namespace onair::contract
