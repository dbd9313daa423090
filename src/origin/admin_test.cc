#include "origin/admin.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "contract/error.h"

namespace onair::origin {
namespace {

using nlohmann::json;

const char* kEvent = R"({"event": "show", "ast": "2026-11-23T10:00:00Z", "segment_duration": 2,
  "ladder": [{"name": "v", "width": 640, "height": 360, "bitrate": 800000}]})";

std::string ErrorOf(const service::Response& r) {
  auto e = contract::ReadError(r.body());
  return e.ok() ? *e : "(no error shape)";
}

struct AdminTest : ::testing::Test {
  SimulatedClock clock{*ParseUtc("2026-11-23T10:01:00Z")};
  MetricsRegistry metrics;
  Store store{&clock, &metrics, nullptr};
};

TEST_F(AdminTest, EventsAreCreatedReplacedAndDescribed) {
  EXPECT_EQ(ListEvents(store).body(), "[]\n");
  service::Response created = PutEvent(store, kEvent);
  EXPECT_EQ(created.result_int(), 201);
  EXPECT_EQ(json::parse(created.body())["created"], true);
  EXPECT_EQ(PutEvent(store, kEvent).result_int(), 200) << "replaced";
  EXPECT_EQ(json::parse(ListEvents(store).body()), json({"show"}));
  const json d = json::parse(DescribeEvent(store, "show").body());
  EXPECT_EQ(d["preferred"], "A");
  EXPECT_EQ(d["config"]["event"], "show");
  EXPECT_EQ(DescribeEvent(store, "none").result_int(), 404);
  EXPECT_EQ(DescribeEvent(store, "..").result_int(), 404);
  service::Response bad = PutEvent(store, "{not json");
  EXPECT_EQ(bad.result_int(), 400);
  EXPECT_FALSE(ErrorOf(bad).empty());
}

TEST_F(AdminTest, PipelineLeversAndInvalidation) {
  ASSERT_EQ(PutEvent(store, kEvent).result_int(), 201);
  service::Response prefer = SetPipelines(store, "show", R"({"prefer": "B"})");
  ASSERT_EQ(prefer.result_int(), 200);
  EXPECT_EQ(json::parse(prefer.body())["preferred"], "B");
  const json masked = json::parse(SetPipelines(store, "show", R"({"mask": "A"})").body());
  EXPECT_EQ(masked["masked"]["A"], true);
  EXPECT_EQ(json::parse(SetPipelines(store, "show", R"({"unmask": "A"})").body())["masked"]["A"],
            false);
  EXPECT_EQ(ErrorOf(SetPipelines(store, "show", R"({"prefer": "C"})")), "prefer: A or B");
  EXPECT_EQ(SetPipelines(store, "show", R"({"nothing": 1})").result_int(), 400);
  EXPECT_EQ(SetPipelines(store, "show", "[]").result_int(), 400);
  EXPECT_EQ(SetPipelines(store, "nope", R"({"prefer": "B"})").result_int(), 404);

  service::Response v1 = InvalidateSegments(store, "show", R"({"from": 3, "to": 9})");
  ASSERT_EQ(v1.result_int(), 200);
  EXPECT_EQ(json::parse(v1.body())["version"], 1);
  EXPECT_EQ(json::parse(InvalidateSegments(store, "show", R"({"from": 3, "to": 9,
    "pipeline": "A"})")
                            .body())["version"],
            2);
  EXPECT_EQ(InvalidateSegments(store, "show", R"({"from": "3", "to": 9})").result_int(), 400);
  EXPECT_EQ(
      InvalidateSegments(store, "show", R"({"from": 3, "to": 9, "pipeline": "Z"})").result_int(),
      400);
}

}  // namespace
}  // namespace onair::origin
