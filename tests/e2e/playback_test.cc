// End-to-end: `onair playback` in front of a real origin, pipeline and edges. Personalised
// DASH and HLS answers played by ffmpeg through an edge, steering around an unhealthy edge,
// the operator's levers, bad input, and a burst ten times the service's capacity.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e/origin_helpers.h"
#include "support/dash_schema.h"

namespace onair::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

const std::string kTv =
    R"({"device_id": "tv-1", "device_type": "tv", "codecs": ["avc", "hevc"], "region": "eu"})";
const std::string kSmall =
    R"({"device_id": "ph-1", "device_type": "phone", "codecs": ["avc"], "max_height": 200,
        "region": "us", "format": "hls"})";

net::Response Play(const std::string& base, const std::string& body,
                   const std::string& event = "e2e", net::Headers h = {}) {
  return Request(base, "POST", "/v1/playback/" + event, h, body);
}

net::Response Admin(const std::string& base, const std::string& method, const std::string& path,
                    const std::string& body = "", const std::string& token = "at") {
  return Request(base, method, path, {{"Authorization", "Bearer " + token}}, body);
}

// The service locations of an MPD's BaseURLs (or an HLS answer's pathways), in order.
std::vector<std::string> Locations(const std::string& manifest) {
  std::vector<std::string> out;
  for (const std::string key : {"serviceLocation=\"", "PATHWAY-ID=\""}) {
    for (size_t at = manifest.find(key); at != std::string::npos; at = manifest.find(key, at)) {
      at += key.size();
      const std::string name = manifest.substr(at, manifest.find('"', at) - at);
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
  }
  return out;
}

std::vector<std::string> SteeringOrder(const std::string& base, const std::string& region) {
  net::Response r = Get(base, "/v1/steering/e2e?format=dash&region=" + region);
  if (r.status != 200) return {};
  return nlohmann::json::parse(r.body)["SERVICE-LOCATION-PRIORITY"].get<std::vector<std::string>>();
}

// How long (ms) until `done()` holds, polled every 50 ms; -1 if not within `most`.
template <class F>
int64_t MsUntil(F done, milliseconds most) {
  const auto start = steady_clock::now();
  while (steady_clock::now() - start < most) {
    if (done()) {
      return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count();
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  return -1;
}

// An origin with the event, a pipeline publishing to it, two edges (eu, us) and the playback
// service; ready when both edges serve the event's playlist with two segments in it.
struct Stack {
  std::string dir;
  EventFile ev;
  std::unique_ptr<OriginProcess> origin;
  std::unique_ptr<Background> pipeline;
  std::unique_ptr<EdgeProcess> eu, us;
  std::unique_ptr<PlaybackProcess> playback;

  Stack(const std::string& name, double seconds, const std::vector<std::string>& extra = {}) {
    dir = TempDir(name);
    ev = WriteEvent(dir);
    origin = std::make_unique<OriginProcess>(dir, ev.path);
    pipeline = std::make_unique<Background>(
        PublishingPipeline(dir, ev, origin->url(), "A", seconds), dir + "/pipeline.log");
    eu = std::make_unique<EdgeProcess>(dir, std::vector<std::string>{origin->url()},
                                       std::vector<std::string>{"--admin-token", "et"});
    us = std::make_unique<EdgeProcess>(dir, std::vector<std::string>{origin->url()});
    playback = std::make_unique<PlaybackProcess>(
        dir, origin->url(),
        std::vector<std::string>{"e-eu=" + eu->url() + ",region=eu",
                                 "e-us=" + us->url() + ",region=us"},
        extra);
  }

  bool Ready() {
    auto listed = [&](const std::string& edge) {
      const std::string text = Get(edge, "/live/e2e/270p/index.m3u8").body;
      return text.find(".m4s") != text.rfind(".m4s");
    };
    for (int k = 0; k < 300; ++k) {
      if (listed(eu->url()) && listed(us->url())) return true;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }
};

// Real players: ffmpeg plays the DASH and HLS answers made for two devices through the edges
// they name; every MPD is valid; each device gets its own renditions and its region's edge
// first. Then an edge that drains, and one that dies, leave new answers and the steering
// JSON within the steering TTL (5 s), and come back when healthy again.
TEST(Playback, PersonalisedAnswersPlayThroughAnEdgeAndSteerAroundAnUnhealthyOne) {
  Stack s("playback-play", 40);
  ASSERT_GT(s.playback->port(), 0) << s.playback->log();
  ASSERT_TRUE(s.Ready()) << ReadFile(s.dir + "/pipeline.log");

  net::Response tv = Play(s.playback->url(), kTv);
  ASSERT_EQ(tv.status, 200) << tv.body;
  EXPECT_EQ(Header(tv, "Content-Type"), "application/dash+xml");
  EXPECT_EQ(MpdSchemaErrors(tv.body), "") << tv.body;
  EXPECT_NE(tv.body.find("id=\"270p\""), std::string::npos);
  EXPECT_NE(tv.body.find("id=\"136p\""), std::string::npos);
  EXPECT_EQ(Locations(tv.body), (std::vector<std::string>{"e-eu", "e-us"}));
  EXPECT_NE(tv.body.find(s.playback->url() + "/v1/time"), std::string::npos);
  net::Response small = Play(s.playback->url(), kSmall);
  ASSERT_EQ(small.status, 200) << small.body;
  EXPECT_EQ(Header(small, "Content-Type"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(small.body.find("270p"), std::string::npos) << small.body;
  EXPECT_NE(small.body.find("136p/index.m3u8"), std::string::npos) << small.body;
  EXPECT_EQ(Locations(small.body), (std::vector<std::string>{"e-us", "e-eu"}));
  // The clock devices sync to is this machine's, to the millisecond.
  auto clock = ParseUtc(Get(s.playback->url(), "/v1/time").body);
  ASSERT_TRUE(clock.ok());
  EXPECT_LT(std::abs(*clock - SystemClock::Instance().Now()), 1'000'000);

  auto egress = [](const ServiceProcess& edge) {
    return Metric(Get(edge.url(), "/metrics").body, "onair_edge_egress_bytes_total");
  };
  const int64_t eu_before = egress(*s.eu), us_before = egress(*s.us);
  WriteFile(s.dir + "/tv.mpd", tv.body);
  WriteFile(s.dir + "/small.m3u8", small.body);
  const std::vector<std::string> play = {"ffmpeg", "-v", "error", "-protocol_whitelist",
                                         "file,http,tcp"};
  Background dash(With(play, {"-i", s.dir + "/tv.mpd", "-map", "0", "-t", "4", "-f", "null", "-"}),
                  s.dir + "/dash.log");
  // Its pathways are two hosts: ffmpeg must not try to reuse one connection for both.
  Background hls(With(play, {"-http_persistent", "0", "-i", s.dir + "/small.m3u8", "-map", "0:v:0",
                             "-map", "0:a:0", "-t", "4", "-f", "null", "-"}),
                 s.dir + "/hls.log");
  EXPECT_EQ(dash.Wait(60), 0) << ReadFile(s.dir + "/dash.log");
  EXPECT_EQ(ReadFile(s.dir + "/dash.log"), "");
  EXPECT_EQ(hls.Wait(60), 0) << ReadFile(s.dir + "/hls.log");
  EXPECT_EQ(ReadFile(s.dir + "/hls.log"), "");
  // The segments came through the edges the answers named first.
  EXPECT_GT(egress(*s.eu) - eu_before, 100'000);
  EXPECT_GT(egress(*s.us) - us_before, 50'000);

  // The eu edge drains (its own lever): gone from the eu devices' steering and answers
  // within the TTL; the us edge takes them.
  ASSERT_EQ(Request(s.eu->url(), "POST", "/admin/drain", {{"Authorization", "Bearer et"}}).status,
            200);
  const auto only_us = std::vector<std::string>{"e-us"};
  const int64_t drained_ms = MsUntil(
      [&] {
        return SteeringOrder(s.playback->url(), "eu") == only_us &&
               Locations(Play(s.playback->url(), kTv).body) == only_us;
      },
      seconds(5));
  EXPECT_GE(drained_ms, 0) << "a draining edge still gets viewers after the TTL";
  std::printf("draining edge left steering and answers after %lld ms\n",
              static_cast<long long>(drained_ms));
  ASSERT_EQ(Request(s.eu->url(), "DELETE", "/admin/drain", {{"Authorization", "Bearer et"}}).status,
            200);
  EXPECT_GE(MsUntil([&] { return SteeringOrder(s.playback->url(), "eu").size() == 2; }, seconds(5)),
            0);
  // The us edge dies: gone within the TTL.
  s.us->process().Signal(SIGKILL);
  const auto only_eu = std::vector<std::string>{"e-eu"};
  const int64_t dead_ms = MsUntil(
      [&] {
        return SteeringOrder(s.playback->url(), "us") == only_eu &&
               Locations(Play(s.playback->url(), kSmall).body) == only_eu;
      },
      seconds(5));
  EXPECT_GE(dead_ms, 0) << "a dead edge still gets viewers after the TTL";
  std::printf("dead edge left steering and answers after %lld ms\n",
              static_cast<long long>(dead_ms));
  const std::string metrics = Get(s.playback->url(), "/metrics").body;
  EXPECT_EQ(Metric(metrics, "onair_playback_edge_eligible{edge=\"e-us\"}"), 0);
  EXPECT_EQ(Metric(metrics, "onair_playback_edges_eligible"), 1);
  // No edge left: a clear 503 that says when to come back.
  ASSERT_EQ(Request(s.eu->url(), "POST", "/admin/drain", {{"Authorization", "Bearer et"}}).status,
            200);
  EXPECT_GE(MsUntil([&] { return Play(s.playback->url(), kTv).status == 503; }, seconds(5)), 0);
  net::Response none = Play(s.playback->url(), kTv);
  EXPECT_EQ(none.status, 503);
  EXPECT_EQ(Header(none, "Retry-After"), "5");
  EXPECT_NE(none.body.find("no edge"), std::string::npos);
}

// The operator's levers take effect at once and show in /metrics within a second.
TEST(Playback, LeversTakeEffectAtOnceAndShowInMetrics) {
  Stack s("playback-levers", 4);
  ASSERT_GT(s.playback->port(), 0) << s.playback->log();
  ASSERT_TRUE(s.Ready()) << ReadFile(s.dir + "/pipeline.log");
  const std::string& pb = s.playback->url();
  auto metric = [&](const std::string& series) { return Metric(Get(pb, "/metrics").body, series); };
  ASSERT_NE(Play(pb, kTv).body.find("id=\"270p\""), std::string::npos);

  // A cap for every device.
  auto lever = Admin(pb, "PATCH", "/admin/levers", R"({"quality": {"max_height": 200}})");
  ASSERT_EQ(lever.status, 200) << lever.body;
  const auto set = steady_clock::now();
  EXPECT_EQ(metric("onair_playback_lever_max_height{device_type=\"all\"}"), 200);
  EXPECT_LT(steady_clock::now() - set, seconds(1));
  net::Response capped = Play(pb, kTv);
  EXPECT_EQ(capped.body.find("id=\"270p\""), std::string::npos) << capped.body;
  EXPECT_NE(capped.body.find("id=\"136p\""), std::string::npos);
  // A cap for phones only: TVs see the whole ladder again.
  ASSERT_EQ(Admin(pb, "PATCH", "/admin/levers",
                  R"({"quality": null, "quality_by_type": {"phone": {"max_bitrate": 200000}}})")
                .status,
            200);
  EXPECT_EQ(metric("onair_playback_lever_max_bitrate{device_type=\"phone\"}"), 200000);
  EXPECT_EQ(metric("onair_playback_lever_max_height{device_type=\"all\"}"), 0);
  EXPECT_NE(Play(pb, kTv).body.find("id=\"270p\""), std::string::npos);
  const std::string phone =
      R"({"device_id": "ph-2", "device_type": "phone", "codecs": ["avc"], "format": "hls"})";
  EXPECT_EQ(Play(pb, phone).body.find("270p"), std::string::npos);

  // Personalisation off: every device gets the same precomputed answer (all renditions).
  ASSERT_EQ(Admin(pb, "PATCH", "/admin/levers", R"({"personalisation": false})").status, 200);
  EXPECT_EQ(metric("onair_playback_lever_personalisation"), 0);
  auto without_time = [](std::string mpd) {
    const size_t at = mpd.find("publishTime=\"");
    if (at != std::string::npos) mpd.erase(at, mpd.find('"', at + 13) - at);
    return mpd;
  };
  const std::string small_dash =
      R"({"device_id": "x", "device_type": "phone", "codecs": ["avc"], "max_height": 200})";
  net::Response a = Play(pb, kTv), b = Play(pb, small_dash);
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(without_time(a.body), without_time(b.body));
  EXPECT_NE(b.body.find("id=\"270p\""), std::string::npos);
  EXPECT_EQ(MpdSchemaErrors(a.body), "");
  EXPECT_EQ(metric("onair_playback_answers_total{kind=\"generic\",format=\"dash\"}"), 2);
  ASSERT_EQ(Admin(pb, "PATCH", "/admin/levers", R"({"personalisation": true})").status, 200);

  // An edge drained from steering by the operator.
  ASSERT_EQ(Admin(pb, "PATCH", "/admin/levers", R"({"drained_edges": ["e-eu"]})").status, 200);
  EXPECT_EQ(metric("onair_playback_lever_edge_drained{edge=\"e-eu\"}"), 1);
  EXPECT_EQ(Locations(Play(pb, kTv).body), std::vector<std::string>{"e-us"});
  EXPECT_EQ(SteeringOrder(pb, "eu"), std::vector<std::string>{"e-us"});
  net::Response levers = Admin(pb, "GET", "/admin/levers");
  EXPECT_EQ(nlohmann::json::parse(levers.body)["drained_edges"], nlohmann::json::array({"e-eu"}));

  // Edges registered and removed through the API.
  ASSERT_EQ(Admin(pb, "PUT", "/admin/edges/e-more",
                  R"({"base_url": ")" + s.us->url() + R"(", "region": "eu"})")
                .status,
            200);
  EXPECT_GE(MsUntil([&] { return Locations(Play(pb, kTv).body).front() == "e-more"; }, seconds(5)),
            0);
  ASSERT_EQ(Admin(pb, "DELETE", "/admin/edges/e-more").status, 200);
  EXPECT_EQ(Locations(Play(pb, kTv).body), std::vector<std::string>{"e-us"});
  // An edge that announces itself takes viewers without anyone touching the service.
  EdgeProcess announced(
      s.dir, {s.origin->url()},
      {"--announce", pb, "--announce-token", "at", "--name", "e-auto", "--region", "eu"});
  ASSERT_GT(announced.port(), 0) << announced.log();
  EXPECT_GE(MsUntil([&] { return Locations(Play(pb, kTv).body).front() == "e-auto"; }, seconds(10)),
            0)
      << announced.log();
  EXPECT_NE(Admin(pb, "GET", "/admin/edges").body.find(announced.url()), std::string::npos);

  // The admin API wants its token; a bad lever is refused and changes nothing.
  EXPECT_EQ(Admin(pb, "PATCH", "/admin/levers", R"({"personalisation": false})", "wrong").status,
            401);
  net::Response bad = Admin(pb, "PATCH", "/admin/levers", R"({"quality": {"max_height": 1}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("max_height"), std::string::npos);
  EXPECT_EQ(metric("onair_playback_lever_personalisation"), 1);
}

// Bad input gets a clear 4xx and nothing else is affected.
TEST(Playback, BadInputGetsAClearError) {
  Stack s("playback-bad", 4);
  ASSERT_GT(s.playback->port(), 0) << s.playback->log();
  ASSERT_TRUE(s.Ready()) << ReadFile(s.dir + "/pipeline.log");
  const std::string& pb = s.playback->url();
  struct Case {
    std::string body, event;
    int status;
    std::string says;
  };
  const std::string huge =
      R"({"device_id": "x", "codecs": ["avc"], "pad": ")" + std::string(20'000, 'a') + R"("})";
  const Case cases[] = {
      {"{\"device_id\": \"x\", \"codecs\": [\"avc\"", "e2e", 400, "not JSON"},
      {"[1, 2]", "e2e", 400, "not a JSON object"},
      {R"({"codecs": ["avc"]})", "e2e", 400, "device_id"},
      {R"({"device_id": "x", "codecs": ["avc"], "max_width": 1000000})", "e2e", 400, "max_width"},
      {R"({"device_id": "x", "codecs": ["avc"], "max_bitrate": -5})", "e2e", 400, "max_bitrate"},
      {R"({"device_id": "x", "codecs": ["avc"], "format": "smooth"})", "e2e", 400, "format"},
      {R"({"device_id": "x", "codecs": ["av1"]})", "e2e", 422, "codecs"},
      {kTv, "no-such-show", 404, "no event"},
      {kTv, "..%2f..%2fetc", 404, "no such event"},
      {huge, "e2e", 413, ""},
  };
  for (const Case& c : cases) {
    net::Response r = Play(pb, c.body, c.event);
    EXPECT_EQ(r.status, c.status) << c.body.substr(0, 80) << ": " << r.body;
    EXPECT_NE(r.body.find(c.says), std::string::npos) << r.body;
  }
  EXPECT_EQ(Play(pb, kTv, "e2e", {{"X-Onair-Priority", "urgent"}}).status, 400);
  EXPECT_EQ(Get(pb, "/v1/playback/e2e").status, 405);
  EXPECT_EQ(Get(pb, "/v1/steering/e2e?format=smooth").status, 400);
  EXPECT_EQ(Get(pb, "/v1/steering/e2e?format=dash&region=a%20b").status, 400);
  EXPECT_EQ(Get(pb, "/nothing").status, 404);
  // A header too large and a body that never ends: refused, the connection closed.
  EXPECT_EQ(RawStatus(s.playback->port(), "POST /v1/playback/e2e HTTP/1.1\r\nX: " +
                                              std::string(10'000, 'x') + "\r\n\r\n"),
            431);
  EXPECT_EQ(RawStatus(s.playback->port(),
                      "POST /v1/playback/e2e HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"),
            413);
  // Nothing else was affected: good requests are answered, the service is alive.
  net::Response ok = Play(pb, kTv);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(MpdSchemaErrors(ok.body), "");
  EXPECT_GE(Metric(Get(pb, "/metrics").body,
                   "onair_playback_http_requests_total{route=\"play\",code=\"4xx\"}"),
            6);
}

// A crowd of clients on one thread (Boost.Asio coroutines) that come in waves, as viewers do
// when an event starts or comes back: at each wave every connection sends play starts of its
// priority, four at a time (pipelined), and reads the answers; every answer is recorded.
class Crowd {
 public:
  struct Answer {
    std::string priority;
    int status = 0;
    int retry_after_s = -1;
    int64_t retry_after_ms = -1;
    steady_clock::time_point at{};  // when it came
  };

  Crowd(int port, std::string body) : port_(port), body_(std::move(body)) {}

  // Waves of requests from every connection at once, `period` apart, until `how_long`.
  std::vector<Answer> Run(const std::vector<std::pair<std::string, int>>& mix,
                          milliseconds how_long, milliseconds period) {
    start_ = steady_clock::now() + milliseconds(500);  // every connection made by then
    until_ = start_ + how_long;
    period_ = period;
    for (const auto& [priority, connections] : mix) {
      for (int k = 0; k < connections; ++k) {
        asio::co_spawn(ctx_, Client(priority), asio::detached);
      }
    }
    ctx_.run();
    return answers_;
  }

 private:
  asio::awaitable<void> Client(std::string priority) {
    constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
    beast::tcp_stream stream(ctx_);
    const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"),
                                     static_cast<unsigned short>(port_));
    stream.expires_after(seconds(10));
    auto [cec] = co_await stream.async_connect(ep, kTuple);
    if (cec) {
      answers_.push_back({priority, -1});
      co_return;
    }
    // Its requests as one buffer: kPipelined of them sent at once, then their answers read.
    http::request<http::string_body> req(http::verb::post, "/v1/playback/e2e", 11);
    req.set(http::field::host, "playback");
    req.set("X-Onair-Priority", priority);
    req.body() = body_;
    req.prepare_payload();
    std::ostringstream one;
    one << req;
    std::string batch;
    for (int k = 0; k < kPipelined; ++k) batch += one.str();
    beast::flat_buffer buffer;
    asio::steady_timer timer(ctx_);
    for (auto wave = start_; wave < until_; wave += period_) {
      timer.expires_at(wave);  // the whole crowd at once
      co_await timer.async_wait(kTuple);
      stream.expires_after(seconds(10));
      auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(batch), kTuple);
      if (wec) {
        answers_.push_back({priority, -1});
        co_return;
      }
      for (int k = 0; k < kPipelined; ++k) {
        http::response<http::string_body> res;
        auto [rec, rn] = co_await http::async_read(stream, buffer, res, kTuple);
        if (rec) {
          answers_.push_back({priority, -1});
          co_return;
        }
        Answer a{priority, static_cast<int>(res.result_int())};
        a.at = steady_clock::now();
        if (a.status == 503) {
          a.retry_after_s = std::atoi(std::string(res[http::field::retry_after]).c_str());
          auto j = nlohmann::json::parse(res.body(), nullptr, false);
          if (j.is_object() && j.contains("retry_after_ms")) a.retry_after_ms = j["retry_after_ms"];
        }
        answers_.push_back(a);
      }
    }
  }

  static constexpr int kPipelined = 4;
  asio::io_context ctx_;
  int port_;
  std::string body_;
  steady_clock::time_point start_, until_;
  milliseconds period_{0};
  std::vector<Answer> answers_;
};

// Surges ten times what the service answers at once: waves of 160 requests (40 connections,
// four each) every 200 ms against --max-concurrency 16; 5 % live starts, 15 % catch-up
// starts, 80 % other calls. Live starts keep succeeding (>= 99 %) while the others
// are shed; every shed answer says when to come back, and those times are spread so that
// retries come back no faster than the service answers (no second wave).
TEST(Playback, OverloadShedsByPriorityAndSpreadsTheRetries) {
  Stack s("playback-overload", 4, {"--max-concurrency", "16"});
  ASSERT_GT(s.playback->port(), 0) << s.playback->log();
  ASSERT_TRUE(s.Ready()) << ReadFile(s.dir + "/pipeline.log");
  ASSERT_EQ(Play(s.playback->url(), kTv).status, 200);

  Crowd crowd(s.playback->port(), kTv);
  const auto answers = crowd.Run({{"live", 2}, {"catch-up", 6}, {"other", 32}}, milliseconds(3000),
                                 milliseconds(200));
  std::map<std::string, std::map<int, int>> by;  // priority -> status -> count
  const auto t0 = answers.empty() ? steady_clock::now() : answers.front().at;
  auto second_of = [&](steady_clock::time_point t) {
    return std::chrono::duration_cast<milliseconds>(t - t0).count() / 1000;
  };
  std::map<int64_t, int> served, retries;  // per second: answered; told to come back then
  for (const auto& a : answers) {
    by[a.priority][a.status]++;
    if (a.status == 200) served[second_of(a.at)]++;
    if (a.status == 503) {
      EXPECT_GE(a.retry_after_s, 1);
      EXPECT_GE(a.retry_after_ms, 1000);
      EXPECT_EQ(a.retry_after_s, (a.retry_after_ms + 999) / 1000);
      retries[second_of(a.at + milliseconds(a.retry_after_ms))]++;
    }
  }
  for (const auto& [p, counts] : by) {
    std::printf("%-8s", p.c_str());
    for (const auto& [status, n] : counts) std::printf("  %d: %d", status, n);
    std::printf("\n");
  }
  auto share_ok = [&](const std::string& p) {
    int all = 0;
    for (const auto& [status, n] : by[p]) all += n;
    return all == 0 ? 0.0 : static_cast<double>(by[p][200]) / all;
  };
  // Live starts keep succeeding; the less critical a call, the more of it is shed.
  EXPECT_GE(share_ok("live"), 0.99);
  EXPECT_LE(share_ok("other"), 0.8) << "non-critical calls were not shed";
  EXPECT_GT(1 - share_ok("other"), 3 * (1 - share_ok("catch-up")));
  EXPECT_EQ(by["live"][-1] + by["catch-up"][-1] + by["other"][-1], 0) << "connections failed";
  // No second wave: in no second are more clients told to come back than the service answers
  // in a second (the busiest second it had; a margin for seconds counted on two clocks).
  int most_served = 0;
  for (const auto& [second, n] : served) most_served = std::max(most_served, n);
  ASSERT_GT(most_served, 0);
  std::printf("served at most %d a second; retries per second:", most_served);
  for (const auto& [second, n] : retries) {
    std::printf(" %d", n);
    EXPECT_LE(n, most_served * 3 / 2 + 50) << "second " << second;
  }
  std::printf("\n");
  EXPECT_GE(retries.size(), 3u);
  const std::string metrics = Get(s.playback->url(), "/metrics").body;
  EXPECT_GT(Metric(metrics, "onair_playback_shed_total{priority=\"other\"}"), 0);
  EXPECT_GT(Metric(metrics, "onair_playback_concurrency_limit"), 0);
}

}  // namespace
}  // namespace onair::test
