// Every endpoint of every service, called one after another on the same process (a
// readiness probe followed by a scrape once aborted the origin), each service's route table
// read from its own /admin/routes so that a route nobody calls here fails the test; and what
// every service answers the same way: /healthz, /readyz, /metrics, an admin call without or
// with a wrong token, HTTPS when given a certificate.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "contract/error.h"
#include "e2e/origin_helpers.h"

namespace onair::test {
namespace {

using nlohmann::json;

struct Call {
  std::string route;  // the route it exercises (its name in /admin/routes)
  std::string method, target;
  std::string body;
  std::set<int> expect;  // any of these
  bool admin = false;
};

const net::Headers kAdmin = {{"Authorization", "Bearer at"}};

// Calls each in turn, twice over; every route the service lists must be called.
void CallEverything(const std::string& name, const ServiceProcess& p,
                    const std::vector<Call>& calls) {
  for (int round = 0; round < 2; ++round) {
    for (const Call& c : calls) {
      net::Response r =
          Request(p.url(), c.method, c.target, c.admin ? kAdmin : net::Headers{}, c.body);
      EXPECT_TRUE(c.expect.count(r.status))
          << name << " " << c.method << " " << c.target << ": " << r.status << " " << r.body;
      if (r.status >= 400 && c.method != "HEAD") {
        EXPECT_TRUE(contract::ReadError(r.body).ok())
            << name << " " << c.target << ": not the error shape: " << r.body;
      }
    }
  }
  net::Response routes = Request(p.url(), "GET", "/admin/routes", kAdmin);
  ASSERT_EQ(routes.status, 200) << routes.body;
  std::set<std::string> called;
  for (const Call& c : calls) called.insert(c.route);
  const json table = json::parse(routes.body);  // named: the loop reads into it
  for (const json& r : table["routes"]) {
    EXPECT_TRUE(called.count(r["name"].get<std::string>()))
        << name << ": route " << r["name"] << " (" << r["path"] << ") is not called here";
  }
}

// What every service answers the same way.
std::vector<Call> Common(const std::string& ready_route = "readyz") {
  return {{"healthz", "GET", "/healthz", "", {200}},
          {ready_route, "GET", "/readyz", "", {200, 503}},
          {"readyz", "HEAD", "/readyz", "", {200, 503}},
          {"metrics", "GET", "/metrics", "", {200}},
          {"time", "GET", "/v1/time", "", {200}},
          {"admin-routes", "GET", "/admin/routes", "", {200}, true},
          {"admin-faults", "GET", "/admin/faults", "", {200}, true},
          {"admin-faults",
           "PUT",
           "/admin/faults",
           R"({"faults": [{"route": "nothing-here", "kind": "abort"}]})",
           {200},
           true},
          {"admin-faults", "DELETE", "/admin/faults", "", {200}, true},
          {"none", "GET", "/no/such/path", "", {404}}};
}

std::vector<Call> With(std::vector<Call> a, const std::vector<Call>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// An origin with an event, an edge before it, playback over both and the metrics service
// watching them all, every admin API open with the token "at" (so by default in tests but for
// the edge's).
struct Services {
  explicit Services(const std::string& name)
      : dir(TempDir(name)),
        ev(WriteEvent(dir)),
        origin(dir, ev.path),
        edge(dir, {origin.url()}, {"--admin-token", "at"}),
        playback(dir, origin.url(), {"e1=" + edge.url()}),
        metrics(dir, {"--playback", playback.url(), "--playback-token", "at", "--scrape",
                      "origin=" + origin.url()}) {}
  bool Up() const {
    return origin.port() > 0 && edge.port() > 0 && playback.port() > 0 && metrics.port() > 0;
  }
  std::string Logs() const { return origin.log() + edge.log() + playback.log() + metrics.log(); }

  std::string dir;
  EventFile ev;
  OriginProcess origin;
  EdgeProcess edge;
  PlaybackProcess playback;
  MetricsProcess metrics;
};

TEST(Endpoints, EveryRouteOfEveryServiceInTurnOnOneProcess) {
  Services s("endpoints");
  ASSERT_TRUE(s.Up()) << s.Logs();
  const std::string seg = Seg("270p", CurrentSegment(s.ev.ast_us) + 10);
  const std::string event = ReadFile(s.ev.path);  // replaced by itself

  CallEverything("origin", s.origin,
                 With(Common(), {{"upload", "PUT", Seg("270p", "init"), "x", {401}},
                                 {"upload-refused", "PUT", "/elsewhere", "x", {400}},
                                 {"event-file", "GET", "/live/e2e/event.json", "", {200}},
                                 {"event-file", "GET", "/live/e2e/manifest.mpd", "", {404}},
                                 {"object", "GET", seg, "", {404}},
                                 {"object", "GET", "/live/e2e/270p/index.m3u8", "", {404}},
                                 {"live-unknown", "GET", "/live/e2e/270p/x/y", "", {404}},
                                 {"admin-events", "GET", "/admin/events", "", {200}, true},
                                 {"admin-events", "POST", "/admin/events", event, {200}, true},
                                 {"admin-event", "GET", "/admin/events/e2e", "", {200}, true},
                                 {"admin-pipelines",
                                  "POST",
                                  "/admin/events/e2e/pipelines",
                                  R"({"prefer": "A"})",
                                  {200},
                                  true},
                                 {"admin-invalidate",
                                  "POST",
                                  "/admin/events/e2e/invalidate",
                                  R"({"from": 1, "to": 2})",
                                  {200},
                                  true}}));
  CallEverything("edge", s.edge,
                 With(Common(), {{"status", "GET", "/v1/edge/status", "", {200}},
                                 {"object", "GET", "/live/e2e/event.json", "", {200}},
                                 {"object", "GET", seg, "", {404}},
                                 {"object", "GET", "/elsewhere", "", {404}},
                                 {"admin-drain", "POST", "/admin/drain", "", {200}, true},
                                 {"admin-drain", "DELETE", "/admin/drain", "", {200}, true}}));
  const std::string device = R"({"device_id": "x", "codecs": ["avc"]})";
  CallEverything(
      "playback", s.playback,
      With(Common(),
           {{"play", "POST", "/v1/playback/e2e", device, {503}},  // no video yet
            {"play", "POST", "/v1/playback/e2e", "{", {400}},
            {"steering", "GET", "/v1/steering/e2e?format=dash", "", {200, 503}},
            {"events",
             "POST",
             "/v1/events",
             R"({"session": "s", "event": "e2e", "events": [{"type": "start",
                 "t": "2026-11-23T10:00:00Z", "ttff_ms": 100}]})",
             {202}},
            {"web", "GET", "/watch/e2e", "", {200}},
            {"web", "GET", "/web/watch.js", "", {200}},
            {"admin-levers", "GET", "/admin/levers", "", {200}, true},
            {"admin-levers", "PATCH", "/admin/levers", R"({"personalisation": true})", {200}, true},
            {"admin-edges", "GET", "/admin/edges", "", {200}, true},
            {"admin-edge",
             "PUT",
             "/admin/edges/e2",
             R"({"base_url": "http://127.0.0.1:9"})",
             {200},
             true},
            {"admin-edge", "DELETE", "/admin/edges/e2", "", {200}, true}}));
  const std::string batch =
      R"({"session": "s", "event": "e2e", "events": [{"type": "heartbeat",
          "t": ")" +
      FormatUtc(SystemClock::Instance().Now(), true) + R"(", "played_ms": 1000}]})";
  CallEverything("metrics", s.metrics,
                 With(Common(), {{"events", "POST", "/v1/events", batch, {202}},
                                 {"events", "POST", "/v1/events", "[]", {400}},
                                 {"figures", "GET", "/v1/metrics/e2e", "", {200}},
                                 {"figures", "GET", "/v1/metrics/none", "", {404}},
                                 {"figures", "GET", "/v1/metrics/e2e?to=x", "", {400}},
                                 {"events-list", "GET", "/v1/metrics", "", {200}},
                                 {"overview", "GET", "/v1/overview/e2e", "", {200}},
                                 {"overview", "GET", "/v1/overview/none", "", {200}},
                                 {"live", "HEAD", "/v1/live/e2e", "", {200}},
                                 {"alerts", "GET", "/v1/alerts", "", {200}},
                                 {"services", "GET", "/v1/services", "", {200}},
                                 {"services", "GET", "/v1/services?from=9&to=1", "", {400}},
                                 {"control", "GET", "/control", "", {200}},
                                 {"control", "GET", "/control/control.js", "", {200}},
                                 {"control", "GET", "/control/uPlot.iife.min.js", "", {200}},
                                 {"control", "GET", "/control/runbooks", "", {200}},
                                 {"control", "GET", "/control/nothing", "", {404}}}));
  // Every process is still there.
  EXPECT_EQ(s.metrics.process().Wait(0), -1) << s.metrics.log();
  EXPECT_EQ(s.origin.process().Wait(0), -1) << s.origin.log();
  EXPECT_EQ(s.edge.process().Wait(0), -1) << s.edge.log();
  EXPECT_EQ(s.playback.process().Wait(0), -1) << s.playback.log();
}

// Without the admin token or with a wrong one: the same status and the same JSON shape from
// every service; a service started without one has its admin API off.
TEST(Endpoints, EveryServiceRefusesAnAdminCallWithoutItsTokenTheSameWay) {
  Services s("endpoints-admin");
  ASSERT_TRUE(s.Up()) << s.Logs();
  std::map<std::string, int> bodies;
  for (const ServiceProcess* p :
       {static_cast<ServiceProcess*>(&s.origin), static_cast<ServiceProcess*>(&s.edge),
        static_cast<ServiceProcess*>(&s.playback), static_cast<ServiceProcess*>(&s.metrics)}) {
    for (const std::string auth : {"", "Bearer wrong", "Bearer atx", "Basic YXQ="}) {
      net::Headers h;
      if (!auth.empty()) h.emplace_back("Authorization", auth);
      net::Response r = Request(p->url(), "GET", "/admin/routes", h);
      EXPECT_EQ(r.status, 401) << p->url() << " '" << auth << "'";
      EXPECT_EQ(Header(r, "WWW-Authenticate"), "Bearer");
      bodies[r.body]++;
    }
    EXPECT_EQ(json::parse(Get(p->url(), "/healthz").body)["status"], "ok");
  }
  EXPECT_EQ(bodies.size(), 1u) << "one error body for every service";
  EdgeProcess closed(s.dir, {s.origin.url()});
  ASSERT_GT(closed.port(), 0) << closed.log();
  net::Response off = Request(closed.url(), "GET", "/admin/routes", kAdmin);
  EXPECT_EQ(off.status, 403);
  EXPECT_TRUE(contract::ReadError(off.body).ok()) << off.body;
}

// The fault hook on real processes, as the fault injector will drive it: an abort at the
// origin reaches a viewer through the edge once and only once (count 1); a delay and a reset
// at the edge act on its object route only, never on the admin API; cleared, all is as before.
TEST(Endpoints, TheFaultHookActsOnItsRouteOfARealService) {
  const std::string dir = TempDir("endpoints-faults");
  EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  ASSERT_GT(origin.port(), 0) << origin.log();
  const std::string init(5000, 'i');
  ASSERT_EQ(Put(origin.url(), "A", Seg("270p", "init"), init), 201);
  EdgeProcess edge(dir, {origin.url()}, {"--admin-token", "at", "--no-prefetch"});
  ASSERT_GT(edge.port(), 0) << edge.log();
  ASSERT_EQ(Request(origin.url(), "PUT", "/admin/faults", kAdmin,
                    R"({"faults": [{"route": "object", "kind": "abort", "status": 503,
                        "count": 1}]})")
                .status,
            200);
  net::Response faulted = Get(edge.url(), Seg("270p", "init"));
  EXPECT_EQ(faulted.status, 503) << faulted.body;
  EXPECT_EQ(*contract::ReadError(faulted.body), "fault injected");
  EXPECT_TRUE(Get(edge.url(), Seg("270p", "init")).body == init) << "the count is used up";
  EXPECT_EQ(Request(origin.url(), "GET", "/admin/faults", kAdmin).body, "{\"faults\":[]}\n");

  ASSERT_EQ(Request(edge.url(), "PUT", "/admin/faults", kAdmin,
                    R"({"faults": [{"route": "object", "kind": "delay", "delay_ms": 400},
                                   {"route": "object", "kind": "reset",
                                    "path_prefix": "/live/e2e/audio/"}]})")
                .status,
            200);
  const auto t0 = steady_clock::now();
  EXPECT_TRUE(Get(edge.url(), Seg("270p", "init")).body == init);
  EXPECT_GE(steady_clock::now() - t0, milliseconds(350)) << "not delayed";
  EXPECT_EQ(Get(edge.url(), Seg("audio", "init")).status, -1) << "not reset";
  EXPECT_EQ(Get(edge.url(), "/v1/edge/status").status, 200) << "another route";
  EXPECT_EQ(Request(edge.url(), "DELETE", "/admin/faults", kAdmin).status, 200);
  const auto t1 = steady_clock::now();
  EXPECT_TRUE(Get(edge.url(), Seg("270p", "init")).body == init);
  EXPECT_LT(steady_clock::now() - t1, milliseconds(350));
  const std::string metrics = Get(edge.url(), "/metrics").body;
  EXPECT_EQ(Metric(metrics, "onair_edge_faults_injected_total{kind=\"delay\"}"), 2);
  EXPECT_EQ(Metric(metrics, "onair_edge_faults_injected_total{kind=\"reset\"}"), 1);
  EXPECT_EQ(Metric(Get(origin.url(), "/metrics").body,
                   "onair_origin_faults_injected_total{kind=\"abort\"}"),
            1);
}

// HTTPS with the same flags for every service, verified against the demo CA.
TEST(Endpoints, EveryServiceServesHttpsWhenGivenACertificate) {
  const std::string dir = TempDir("endpoints-tls");
  EventFile ev = WriteEvent(dir);
  // Each its own demo CA (a real deployment gives each its certificate).
  auto tls = [&](const std::string& who) {
    return std::vector<std::string>{"--tls-port", "0", "--tls-demo-dir", dir + "/tls-" + who};
  };
  OriginProcess origin(dir, ev.path, tls("origin"));
  ASSERT_GT(origin.port(), 0) << origin.log();
  EdgeProcess edge(dir, {origin.url()}, tls("edge"));
  ASSERT_GT(edge.port(), 0) << edge.log();
  PlaybackProcess playback(dir, origin.url(), {"e1=" + edge.url()}, tls("playback"));
  ASSERT_GT(playback.port(), 0) << playback.log();
  MetricsProcess metrics(dir, tls("metrics"));
  ASSERT_GT(metrics.port(), 0) << metrics.log();
  for (const auto& [who, p] : std::vector<std::pair<std::string, const ServiceProcess*>>{
           {"origin", &origin}, {"edge", &edge}, {"playback", &playback}, {"metrics", &metrics}}) {
    const int port = p->PortAfter("listening on https://127.0.0.1:");
    ASSERT_GT(port, 0) << p->log();
    CommandResult r = RunCommand({"curl", "-sS", "--cacert", dir + "/tls-" + who + "/ca.pem",
                                  "https://localhost:" + std::to_string(port) + "/healthz"},
                                 30);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"status\":\"ok\""), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace onair::test
