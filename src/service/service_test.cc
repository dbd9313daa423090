// The skeleton over real sockets: a small service with a route of each kind, called by real
// clients (HTTP, HTTPS verified against a CA, WebSocket).
#include "service/service.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "contract/error.h"
#include "contract/request_log.h"
#include "net/http_client.h"

namespace onair::service {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using nlohmann::json;
using std::chrono::milliseconds;

net::Url Local(int port) { return *net::ParseUrl("http://127.0.0.1:" + std::to_string(port)); }

net::Response Call(int port, const std::string& method, const std::string& target,
                   net::Headers headers = {}, const std::string& body = "") {
  net::HttpConnection c(Local(port));
  auto r = c.Send(method, target, headers, body, milliseconds(5000));
  return r.ok() ? *r : net::Response{-1, {}, std::string(r.status().message())};
}

std::string ErrorOf(const net::Response& r) {
  auto e = contract::ReadError(r.body);
  return e.ok() ? *e : "(not the error shape: " + r.body + ")";
}

// A service with one route of each kind.
struct TestService {
  explicit TestService(ServiceConfig config = Config())
      : clock(SystemClock::Instance()), service(std::move(config), &clock) {
    service.Add({.name = "hello",
                 .methods = {http::verb::get},
                 .pattern = "/hello/{who}",
                 .help = "a greeting",
                 .priority_header = true,
                 .sync = [](Exchange& ex) -> Reply {
                   return Text(200, "hello " + std::string(ex.param(0)) + " at " +
                                        PriorityName(ex.priority()));
                 }});
    service.Add({.name = "echo",
                 .methods = {http::verb::post},
                 .pattern = "/echo",
                 .body = Body::kBuffered,
                 .body_limit = 1000,
                 .sync = [](Exchange& ex) -> Reply { return Text(200, ex.body()); }});
    service.Add({.name = "slow",
                 .methods = {http::verb::get},
                 .pattern = "/slow",
                 .priority = Priority::kLive,
                 .async = [](Exchange&) -> asio::awaitable<Reply> {
                   asio::steady_timer t(co_await asio::this_coro::executor);
                   t.expires_after(milliseconds(300));
                   co_await t.async_wait(asio::use_awaitable);
                   co_return Text(200, "slow");
                 }});
    // A streamed upload: counts the bytes itself.
    service.Add({.name = "count",
                 .methods = {http::verb::put},
                 .pattern = "/count",
                 .body = Body::kStreamed,
                 .stream = [](Exchange& ex) -> asio::awaitable<bool> {
                   size_t total = 0;
                   char piece[4096];
                   auto& parser = ex.parser();
                   while (!parser.is_done()) {
                     parser.get().body().data = piece;
                     parser.get().body().size = sizeof piece;
                     auto [ec, n] = co_await http::async_read_some(
                         ex.stream(), ex.buffer(), parser, asio::as_tuple(asio::use_awaitable));
                     if (ec && ec != http::error::need_buffer) co_return false;
                     total += sizeof piece - parser.get().body().size;
                   }
                   co_return co_await ex.Send(Text(200, std::to_string(total)));
                 }});
    Route ws{.name = "ws", .methods = {http::verb::get}, .pattern = "/ws"};
    ws.upgrade = [](Exchange&, WebSocket& socket) -> asio::awaitable<void> {
      beast::flat_buffer b;
      for (;;) {
        auto [ec, n] = co_await socket.async_read(b, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        socket.text(true);
        co_await socket.async_write(asio::buffer("echo: " + beast::buffers_to_string(b.data())),
                                    asio::as_tuple(asio::use_awaitable));
        b.consume(b.size());
      }
    };
    service.Add(std::move(ws));
    service.AddAdmin({.name = "admin-state",
                      .methods = {http::verb::get, http::verb::post},
                      .pattern = "/state",
                      .help = "the state",
                      .body = Body::kBuffered,
                      .mutates = true,
                      .sync = [this](Exchange& ex) -> Reply {
                        if (ex.method() == http::verb::post) state = ex.body();
                        return Json(200, json{{"state", state}}.dump());
                      }});
    service.SetReadiness([this]() -> std::optional<std::string> {
      if (!ready) return "nothing to serve yet";
      return std::nullopt;
    });
    EXPECT_TRUE(service.Start().ok());
  }
  static ServiceConfig Config() {
    ServiceConfig c;
    c.name = "test";
    c.listen.threads = 2;
    c.admin_token = "secret";
    c.cors = true;
    return c;
  }
  int port() const { return service.port(); }

  SystemClock& clock;
  Service service;
  std::string state = "calm";
  std::atomic<bool> ready{true};
};

TEST(Service, EveryBuiltInEndpointInTurnOnOneProcess) {
  TestService t;
  const net::Headers admin = {{"Authorization", "Bearer secret"}};
  for (int round = 0; round < 2; ++round) {
    net::Response h = Call(t.port(), "GET", "/healthz");
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(json::parse(h.body)["status"], "ok");
    EXPECT_EQ(net::HeaderValue(h.headers, "Server"), "onair-test");
    EXPECT_EQ(Call(t.port(), "GET", "/readyz").status, 200);
    EXPECT_EQ(Call(t.port(), "HEAD", "/readyz").status, 200);
    net::Response m = Call(t.port(), "GET", "/metrics");
    EXPECT_EQ(m.status, 200);
    EXPECT_EQ(net::HeaderValue(m.headers, "Content-Type"), "text/plain; version=0.0.4");
    EXPECT_NE(m.body.find("onair_test_http_requests_total{route=\"healthz\",code=\"2xx\"}"),
              std::string::npos)
        << m.body;
    net::Response time = Call(t.port(), "GET", "/v1/time");
    EXPECT_TRUE(ParseUtc(time.body).ok()) << time.body;
    EXPECT_EQ(Call(t.port(), "GET", "/hello/you").body, "hello you at other");
    EXPECT_EQ(Call(t.port(), "POST", "/echo", {}, "ping").body, "ping");
    EXPECT_EQ(Call(t.port(), "GET", "/admin/state", admin).status, 200);
    net::Response routes = Call(t.port(), "GET", "/admin/routes", admin);
    ASSERT_EQ(routes.status, 200);
    EXPECT_EQ(json::parse(routes.body)["routes"].size(), t.service.routes().routes().size());
    EXPECT_EQ(Call(t.port(), "GET", "/admin/faults", admin).body, "{\"faults\":[]}\n");
  }
  t.ready = false;
  net::Response not_ready = Call(t.port(), "GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(ErrorOf(not_ready), "not ready: nothing to serve yet");
  EXPECT_EQ(json::parse(not_ready.body)["ready"], false);
}

// The request log (contract/request_log.h): a JSON line per viewer request, with the body of
// a JSON request and the priority asked for, no credential; none for probes, scrapes and the
// admin API.
TEST(Service, TheRequestLogKeepsWhatAReplayNeedsAndNoToken) {
  const std::string path = testing::TempDir() + "/service-request-log.jsonl";
  std::filesystem::remove(path);
  const std::string body = R"({"device":{"kind":"tv","token":"t"}})";
  {
    ServiceConfig c = TestService::Config();
    c.request_log = path;
    TestService t(c);
    const net::Headers admin = {{"Authorization", "Bearer secret"}};
    EXPECT_EQ(Call(t.port(), "GET", "/healthz").status, 200);
    EXPECT_EQ(Call(t.port(), "GET", "/metrics").status, 200);
    EXPECT_EQ(Call(t.port(), "GET", "/admin/state", admin).status, 200);
    EXPECT_EQ(
        Call(t.port(), "GET", "/hello/you?token=abc&x=1", {{"X-Onair-Priority", "live"}}).status,
        200);
    EXPECT_EQ(Call(t.port(), "POST", "/echo", {{"Content-Type", "application/json"}}, body).status,
              200);
    EXPECT_EQ(Call(t.port(), "GET", "/nowhere").status, 404);
    t.service.Stop();
  }
  std::ifstream in(path);
  std::vector<contract::RequestRecord> lines;
  for (std::string line; std::getline(in, line);) {
    auto r = contract::ParseRequestRecord(line);
    ASSERT_TRUE(r.ok()) << line << ": " << r.status().message();
    EXPECT_EQ(line.find("abc"), std::string::npos) << line;
    EXPECT_EQ(line.find("secret"), std::string::npos) << line;
    lines.push_back(*r);
  }
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].target, "/hello/you?x=1");
  EXPECT_EQ(lines[0].priority, "live");
  EXPECT_EQ(lines[0].service, "test");
  EXPECT_EQ(lines[0].client, "127.0.0.1");
  EXPECT_EQ(lines[0].status, 200);
  EXPECT_EQ(lines[0].bytes, std::string("hello you at live").size());
  EXPECT_NE(lines[0].host.find("127.0.0.1:"), std::string::npos);
  EXPECT_EQ(lines[1].method, "POST");
  EXPECT_EQ(lines[1].body, R"({"device":{"kind":"tv"}})");
  EXPECT_EQ(lines[1].body_bytes, body.size());
  EXPECT_EQ(lines[1].content_type, "application/json");
  EXPECT_EQ(lines[2].status, 404);
  EXPECT_LE(lines[0].at, lines[1].at);
}

TEST(Service, OneErrorShapeAndOneStatusConvention) {
  TestService t;
  net::Response none = Call(t.port(), "GET", "/nowhere");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(ErrorOf(none), "no such path");
  EXPECT_EQ(net::HeaderValue(none.headers, "Content-Type"), "application/json");
  net::Response wrong = Call(t.port(), "DELETE", "/echo");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(net::HeaderValue(wrong.headers, "Allow"), "POST");
  EXPECT_EQ(Call(t.port(), "POST", "/healthz", {}, "x").status, 405);
  // Bodies: none where none is taken, buffered up to the route's limit, or streamed.
  EXPECT_EQ(Call(t.port(), "GET", "/hello/x", {}, "unexpected").status, 400);
  net::Response big = Call(t.port(), "POST", "/echo", {}, std::string(1001, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(ErrorOf(big).find("limit"), std::string::npos);
  EXPECT_EQ(Call(t.port(), "PUT", "/count", {}, std::string(100'000, 'x')).body, "100000");
  EXPECT_EQ(Call(t.port(), "GET", "/hello/x", {{"X-Onair-Priority", "live"}}).body,
            "hello x at live");
  net::Response bad_priority = Call(t.port(), "GET", "/hello/x", {{"X-Onair-Priority", "vip"}});
  EXPECT_EQ(bad_priority.status, 400);
  EXPECT_NE(ErrorOf(bad_priority).find("X-Onair-Priority"), std::string::npos);
  // A header too large: 431 in the same shape.
  net::Response huge = Call(t.port(), "GET", "/hello/x", {{"X-Big", std::string(9000, 'h')}});
  EXPECT_EQ(huge.status, 431);
  EXPECT_EQ(ErrorOf(huge), "request header too large");
  EXPECT_EQ(Call(t.port(), "GET", "/healthz").status, 200) << "still serving";
}

TEST(Service, TheAdminApiRefusesEveryCallWithoutTheTokenTheSameWay) {
  TestService t;
  for (const std::string auth : {"", "Bearer nope", "Bearer secretx", "Basic c2VjcmV0", "secret"}) {
    for (const std::string path : {"/admin/state", "/admin/routes", "/admin/faults"}) {
      net::Headers h;
      if (!auth.empty()) h.emplace_back("Authorization", auth);
      net::Response r = Call(t.port(), "GET", path, h);
      EXPECT_EQ(r.status, 401) << path << " '" << auth << "'";
      EXPECT_EQ(net::HeaderValue(r.headers, "WWW-Authenticate"), "Bearer");
      EXPECT_EQ(ErrorOf(r), "an admin token is required (Authorization: Bearer TOKEN)");
    }
  }
  EXPECT_EQ(t.state, "calm");
  EXPECT_EQ(
      Call(t.port(), "POST", "/admin/state", {{"Authorization", "Bearer nope"}}, "stormy").status,
      401);
  EXPECT_EQ(t.state, "calm");
  EXPECT_EQ(
      Call(t.port(), "POST", "/admin/state", {{"Authorization", "Bearer secret"}}, "stormy").status,
      200);
  EXPECT_EQ(t.state, "stormy");
  // A service started without an admin token has its admin API off.
  ServiceConfig off = TestService::Config();
  off.admin_token.clear();
  TestService closed(off);
  net::Response r = Call(closed.port(), "GET", "/admin/state", {{"Authorization", "Bearer "}});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(ErrorOf(r).find("--admin-token"), std::string::npos);
}

TEST(Service, FaultRulesFromTheAdminApiActOnTheirRouteOnly) {
  TestService t;
  const net::Headers admin = {{"Authorization", "Bearer secret"}};
  ASSERT_EQ(Call(t.port(), "PUT", "/admin/faults", admin,
                 R"({"faults": [{"route": "hello", "kind": "abort", "status": 502, "count": 2}]})")
                .status,
            200);
  net::Response faulted = Call(t.port(), "GET", "/hello/x");
  EXPECT_EQ(faulted.status, 502);
  EXPECT_EQ(ErrorOf(faulted), "fault injected");
  EXPECT_EQ(Call(t.port(), "POST", "/echo", {}, "e").status, 200) << "another route";
  EXPECT_EQ(Call(t.port(), "GET", "/hello/x").status, 502);
  EXPECT_EQ(Call(t.port(), "GET", "/hello/x").status, 200) << "count used up";
  // A reset: the client sees the connection die, the service serves the next one.
  ASSERT_EQ(Call(t.port(), "PUT", "/admin/faults", admin,
                 R"({"faults": [{"route": "hello", "kind": "reset"}]})")
                .status,
            200);
  EXPECT_EQ(Call(t.port(), "GET", "/hello/x").status, -1);
  // The admin API is never faulted: the operator can always clear the rules.
  ASSERT_EQ(Call(t.port(), "PUT", "/admin/faults", admin,
                 R"({"faults": [{"route": "*", "kind": "abort"}]})")
                .status,
            200);
  EXPECT_EQ(Call(t.port(), "GET", "/hello/x").status, 503);
  EXPECT_EQ(Call(t.port(), "DELETE", "/admin/faults", admin).status, 200);
  EXPECT_EQ(Call(t.port(), "GET", "/hello/x").status, 200);
  // A delay holds the request, then it is answered.
  ASSERT_EQ(Call(t.port(), "PUT", "/admin/faults", admin,
                 R"({"faults": [{"route": "hello", "kind": "delay", "delay_ms": 50}]})")
                .status,
            200);
  EXPECT_EQ(Call(t.port(), "GET", "/hello/x").status, 200);
  const std::string metrics = Call(t.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("onair_test_faults_injected_total{kind=\"abort\"} 3"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("onair_test_faults_injected_total{kind=\"reset\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("onair_test_faults_injected_total{kind=\"delay\"} 1"), std::string::npos);
  EXPECT_EQ(Call(t.port(), "PUT", "/admin/faults", admin, "{bad").status, 400);
}

TEST(Service, ShedRequestsAreToldWhenToComeBack) {
  ServiceConfig c = TestService::Config();
  c.admission.max_in_flight[static_cast<int>(Priority::kLive)] = 1;
  TestService t(c);
  auto first = std::async(std::launch::async, [&] { return Call(t.port(), "GET", "/slow"); });
  // The first holds the one place for 300 ms.
  while (t.service.admission().in_flight(Priority::kLive) == 0) std::this_thread::yield();
  net::Response shed = Call(t.port(), "GET", "/slow");
  EXPECT_EQ(first.get().status, 200);
  ASSERT_EQ(shed.status, 503);
  EXPECT_EQ(ErrorOf(shed), "overloaded: retry later");
  const int64_t ms = json::parse(shed.body)["retry_after_ms"].get<int64_t>();
  EXPECT_GE(ms, 1000);
  EXPECT_EQ(net::HeaderValue(shed.headers, "Retry-After"), std::to_string((ms + 999) / 1000));
  // The admin API is never shed.
  EXPECT_EQ(Call(t.port(), "GET", "/admin/state", {{"Authorization", "Bearer secret"}}).status,
            200);
  EXPECT_NE(Call(t.port(), "GET", "/metrics").body.find("onair_test_shed_total{priority=\"live\"}"),
            std::string::npos);
}

TEST(Service, CorsPreflightsAndHeaders) {
  TestService t;
  net::Response pre = Call(t.port(), "OPTIONS", "/echo");
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(net::HeaderValue(pre.headers, "Access-Control-Allow-Methods"), "POST, OPTIONS");
  EXPECT_NE(net::HeaderValue(pre.headers, "Access-Control-Allow-Headers").find("X-Onair-Priority"),
            std::string::npos);
  net::Response get = Call(t.port(), "GET", "/hello/x");
  EXPECT_EQ(net::HeaderValue(get.headers, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(net::HeaderValue(get.headers, "Access-Control-Expose-Headers"), "Retry-After");
}

TEST(Service, HttpsWithTheSameRoutesVerifiedAgainstItsCa) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("onair-service-tls-" + std::to_string(getpid())))
          .string();
  auto files = net::MakeDemoCertificates(dir, {"localhost", "127.0.0.1"});
  ASSERT_TRUE(files.ok());
  ServiceConfig c = TestService::Config();
  c.tls = *files;
  TestService t(c);
  ASSERT_GT(t.service.tls_port(), 0);
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(files->ca);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
  SSL_set1_host(s.native_handle(), "127.0.0.1");
  asio::ip::tcp::resolver resolver(ioc);
  beast::get_lowest_layer(s).connect(
      resolver.resolve("127.0.0.1", std::to_string(t.service.tls_port())));
  s.handshake(asio::ssl::stream_base::client);
  http::request<http::empty_body> req(http::verb::get, "/hello/tls", 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(s, req);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(s, b, res);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "hello tls at other");
  std::filesystem::remove_all(dir);
}

TEST(Service, AWebSocketRouteTalksOverTheUpgradedConnection) {
  TestService t;
  asio::io_context ioc;
  beast::websocket::stream<beast::tcp_stream> ws(ioc);
  asio::ip::tcp::resolver resolver(ioc);
  beast::get_lowest_layer(ws).connect(resolver.resolve("127.0.0.1", std::to_string(t.port())));
  ws.handshake("127.0.0.1", "/ws");
  for (const std::string msg : {"one", "two"}) {
    ws.write(asio::buffer(msg));
    beast::flat_buffer b;
    ws.read(b);
    EXPECT_EQ(beast::buffers_to_string(b.data()), "echo: " + msg);
  }
  ws.close(beast::websocket::close_code::normal);
  // Without the upgrade header: 426 in the error shape.
  EXPECT_EQ(Call(t.port(), "GET", "/ws").status, 426);
}

}  // namespace
}  // namespace onair::service
