// What a device gets, from a made-up fleet and event: no sockets, a simulated clock.
#include "playback/play.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "contract/error.h"

namespace onair::playback {
namespace {

using nlohmann::json;
namespace http = boost::beast::http;

std::shared_ptr<const CatalogEvent> Event() {
  auto ev = std::make_shared<CatalogEvent>();
  EventConfig& c = ev->config;
  c.event = "show";
  c.ast = 1'795'000'000'000'000;
  c.segment_us = 2'000'000;
  RenditionConfig hd;
  hd.name = "720p";
  hd.width = 1280;
  hd.height = 720;
  hd.bitrate = 3'000'000;
  c.ladder = {hd};
  ev->tracks.push_back(media::TrackOf(c, &c.ladder[0], "avc1.64001F"));
  ev->tracks.push_back(media::TrackOf(c, nullptr, "mp4a.40.2"));
  return ev;
}

struct PlayTest : ::testing::Test {
  PlayTest() {
    fleet.set_public_url("http://play.example");
    EdgeHealth healthy;
    healthy.reachable = true;
    healthy.state = "healthy";
    healthy.polled = clock.Monotonic();
    fleet.SetHealth({{"e1", healthy}});
  }
  std::string ErrorOf(const service::Reply& r) {
    auto e = contract::ReadError(r.response.body());
    return e.ok() ? *e : "(no error shape: " + r.response.body() + ")";
  }
  SimulatedClock clock{1'795'000'100'000'000};
  MetricsRegistry metrics;
  FleetState fleet{{{"e1", "http://edge-1.example", "", 0, 0}},
                   Levers{},
                   ViewOptions{},
                   nullptr,
                   &clock,
                   &metrics};
  PlayAnswers answers{&fleet, &clock, &metrics, 5};
  const Catalog::Found ready{Catalog::State::kReady, Event()};
};

TEST_F(PlayTest, APlayStartGetsAManifestMadeForTheDeviceAndItsClassShareIt) {
  const std::string tv = R"({"device_id": "tv-1", "codecs": ["avc"]})";
  service::Reply a = answers.Play("show", tv, ready);
  ASSERT_TRUE(a.raw) << ErrorOf(a);
  EXPECT_NE(a.raw->find("Content-Type: application/dash+xml"), std::string::npos);
  EXPECT_NE(a.raw->find("http://edge-1.example"), std::string::npos);
  EXPECT_NE(a.raw->find("http://play.example/v1/time"), std::string::npos);
  service::Reply b = answers.Play("show", R"({"device_id": "tv-2", "codecs": ["avc"]})", ready);
  EXPECT_EQ(a.raw, b.raw) << "the same class: the same answer, made once";
  service::Reply hls =
      answers.Play("show", R"({"device_id": "tv-3", "codecs": ["avc"], "format": "hls"})", ready);
  ASSERT_TRUE(hls.raw);
  EXPECT_NE(hls.raw->find("#EXTM3U"), std::string::npos);
}

TEST_F(PlayTest, WhatCannotBeAnsweredSaysWhy) {
  const std::string tv = R"({"device_id": "tv-1", "codecs": ["avc"]})";
  service::Reply bad = answers.Play("show", "{", ready);
  EXPECT_EQ(bad.status(), 400);
  EXPECT_EQ(answers.Play("show", tv, {Catalog::State::kMissing, nullptr}).status(), 404);
  service::Reply later = answers.Play("show", tv, {Catalog::State::kNotReady, nullptr});
  EXPECT_EQ(later.status(), 503);
  EXPECT_EQ(later.response[http::field::retry_after], "2");
  service::Reply hevc = answers.Play("show", R"({"device_id": "x", "codecs": ["hevc"]})", ready);
  EXPECT_EQ(hevc.status(), 422);
  EXPECT_NE(ErrorOf(hevc).find("h264"), std::string::npos) << ErrorOf(hevc);
  // No edge can take viewers once the only one's status is stale (5 s): a 503 for the
  // steering TTL.
  clock.Advance(std::chrono::seconds(6));
  service::Reply none = answers.Play("show", R"({"device_id": "y", "codecs": ["avc"],
    "region": "eu"})",
                                     ready);
  EXPECT_EQ(none.status(), 503);
  EXPECT_EQ(json::parse(none.response.body())["retry_after_ms"], 5000);
}

TEST_F(PlayTest, SteeringAndQoeBatches) {
  service::Reply s = answers.Steering("show", "format=dash&region=eu", "http://play.example");
  ASSERT_EQ(s.status(), 200);
  const json j = json::parse(s.response.body());
  EXPECT_EQ(j["SERVICE-LOCATION-PRIORITY"], json({"e1"}));
  EXPECT_EQ(j["RELOAD-URI"], "http://play.example/v1/steering/show?format=dash&region=eu");
  EXPECT_EQ(answers.Steering("show", "format=smooth", "").status(), 400);
  EXPECT_EQ(answers.Steering("show", "format=hls&region=e%20u", "").status(), 400);
  EXPECT_EQ(answers.Steering("../x", "format=hls", "").status(), 404);
  service::Reply accepted = answers.Events(
      R"({"session": "s1", "event": "show", "events": [{"type": "start", "t":
      "2026-11-23T10:00:00Z", "ttff_ms": 180}]})");
  EXPECT_EQ(accepted.status(), 202);
  EXPECT_EQ(answers.Events("[]").status(), 400);
  EXPECT_NE(metrics.Text().find("onair_playback_qoe_events_total{type=\"start\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace onair::playback
