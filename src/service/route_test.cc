#include "service/route.h"

#include <gtest/gtest.h>

namespace onair::service {
namespace {

namespace http = boost::beast::http;

Route R(std::string name, std::string pattern,
        std::vector<http::verb> methods = {http::verb::get}) {
  Route r;
  r.name = std::move(name);
  r.pattern = std::move(pattern);
  r.methods = std::move(methods);
  return r;
}

TEST(RouteTable, LiteralsNamesAndTheRest) {
  RouteTable t;
  t.Add(R("health", "/healthz"));
  t.Add(R("edge", "/admin/edges/{name}", {http::verb::put, http::verb::delete_}));
  t.Add(R("edges", "/admin/edges"));
  t.Add(R("live", "/live/*"));
  t.Add(R("root", "/"));

  EXPECT_EQ(t.Find(http::verb::get, "/healthz").route->name, "health");
  EXPECT_EQ(t.Find(http::verb::head, "/healthz").route->name, "health") << "GET answers HEAD";
  EXPECT_EQ(t.Find(http::verb::get, "/healthz/").route, nullptr);
  EXPECT_EQ(t.Find(http::verb::get, "/healthzz").route, nullptr);

  Match m = t.Find(http::verb::put, "/admin/edges/e-1");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->name, "edge");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0], "e-1");
  EXPECT_EQ(t.Find(http::verb::put, "/admin/edges/").route, nullptr) << "a name is not empty";
  EXPECT_EQ(t.Find(http::verb::put, "/admin/edges/a/b").route, nullptr);

  Match wrong = t.Find(http::verb::post, "/admin/edges/e-1");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_TRUE(wrong.path_known);
  EXPECT_EQ(wrong.allow, "PUT, DELETE");

  m = t.Find(http::verb::get, "/live/show/720p/12.m4s");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->name, "live");
  EXPECT_EQ(m.params.back(), "show/720p/12.m4s");
  EXPECT_EQ(t.Find(http::verb::get, "/").route->name, "root");
  EXPECT_EQ(t.Find(http::verb::get, "").route, nullptr);
  EXPECT_EQ(t.Find(http::verb::get, "http://x/healthz").route, nullptr);
  EXPECT_FALSE(t.Find(http::verb::get, "/nowhere").path_known);
}

TEST(RouteTable, TheFirstAddedOfTwoMatchesWins) {
  RouteTable t;
  t.Add(R("exact", "/v1/playback/special"));
  t.Add(R("any", "/v1/playback/{event}"));
  EXPECT_EQ(t.Find(http::verb::get, "/v1/playback/special").route->name, "exact");
  EXPECT_EQ(t.Find(http::verb::get, "/v1/playback/show").route->name, "any");
}

TEST(RouteTable, ACatchAllAnswersOnlyPathsNoOtherRouteKnows) {
  RouteTable t;
  t.Add(R("any", "/*"));
  t.Add(R("drain", "/admin/drain", {http::verb::post}));
  EXPECT_EQ(t.Find(http::verb::get, "/live/x/1.m4s").route->name, "any");
  EXPECT_EQ(t.Find(http::verb::get, "http://absolute/form").route->name, "any");
  Match m = t.Find(http::verb::get, "/admin/drain");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allow, "POST");
}

TEST(Targets, PathQueryAndValues) {
  EXPECT_EQ(SplitTarget("/a/b?x=1&y=2").first, "/a/b");
  EXPECT_EQ(SplitTarget("/a/b?x=1&y=2").second, "x=1&y=2");
  EXPECT_EQ(SplitTarget("/a").second, "");
  EXPECT_EQ(QueryValue("format=dash&region=eu", "region"), "eu");
  EXPECT_EQ(QueryValue("format=dash&region=eu", "type"), "");
  EXPECT_EQ(QueryValue("format&region=", "region"), "");
  EXPECT_EQ(QueryValue("formatx=1&format=2", "format"), "2");
}

}  // namespace
}  // namespace onair::service
