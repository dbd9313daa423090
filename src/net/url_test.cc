#include "net/url.h"

#include <gtest/gtest.h>

namespace onair::net {
namespace {

TEST(ParseUrl, HostPortPath) {
  auto u = ParseUrl("http://127.0.0.1:8080/live/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->path, "/live");
  auto d = ParseUrl("http://origin.example");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, "80");
  EXPECT_EQ(d->path, "");
  auto s = ParseUrl("https://edge.example/live");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->scheme, "https");
  EXPECT_EQ(s->port, "443");
}

TEST(ParseUrl, RejectsWhatItCannotUse) {
  for (const char* bad : {"origin:80", "ftp://x/", "http://", "http://h:0/", "http://h:99999/",
                          "http://user@h/", "http://h:8a/"}) {
    EXPECT_FALSE(ParseUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace onair::net
