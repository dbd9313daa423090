#include "service/service.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <nlohmann/json.hpp>

#include "contract/faults.h"
#include "contract/headers.h"
#include "core/bearer.h"
#include "core/log.h"
#include "service/request_log.h"

namespace onair::service {

namespace asio = boost::asio;
namespace beast = boost::beast;
using std::chrono::milliseconds;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

int ClassOf(int status) {
  if (status < 300) return 0;
  if (status < 400) return 1;
  if (status < 500) return 2;
  return 3;
}
constexpr const char* kClassNames[] = {"2xx", "3xx", "4xx", "5xx"};

// Waits up to `idle` for the first byte of the next request on a kept-alive connection (it
// lands in `buffer`); false when the client closed or stayed silent.
asio::awaitable<bool> AwaitRequest(net::AnyStream& stream, beast::flat_buffer& buffer,
                                   std::chrono::milliseconds idle) {
  if (buffer.size() > 0) co_return true;  // pipelined: already there
  stream.expires_after(idle);
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
  if (ec) co_return false;
  buffer.commit(n);
  co_return true;
}

bool HasBody(const RequestParser& p) {
  return p.chunked() || (p.content_length() && *p.content_length() > 0);
}

// The answers the request loop gives itself, made outside its coroutine: g++ 12 fails on some
// brace-initialised temporaries inside one ("array used as initializer", docs/decisions.md).
Response MethodNotAllowed(const std::string& allow) {
  Response res = Error(405, "method not allowed here: " + allow, {{"allow", allow}});
  res.set(http::field::allow, allow);
  return res;
}

Response TooLarge(size_t limit, const char* what) {
  return Error(413, what, {{"limit_bytes", static_cast<int64_t>(limit)}});
}

Response Injected(int status) {
  return Error(status, "fault injected", {{"fault", std::string("abort")}});
}

Response Unauthorized() {
  Response res = Error(401, "an admin token is required (Authorization: Bearer TOKEN)");
  res.set(http::field::www_authenticate, "Bearer");
  return res;
}

Response Preflight(const std::string& allow) {
  Response res(http::status::no_content, 11);
  res.set(http::field::access_control_allow_methods, allow + ", OPTIONS");
  res.set(http::field::access_control_allow_headers,
          "Content-Type, Authorization, X-Onair-Priority");
  res.set(http::field::access_control_max_age, "86400");
  return res;
}

// Every method some route answers at `path`, as an Allow list.
std::string AllowedMethods(const RouteTable& routes, std::string_view path) {
  std::string allow;
  for (http::verb v : {http::verb::get, http::verb::post, http::verb::put, http::verb::patch,
                       http::verb::delete_}) {
    if (!routes.Find(v, path).route) continue;
    allow += (allow.empty() ? "" : ", ") + std::string(http::to_string(v));
    if (v == http::verb::get) allow += ", HEAD";
  }
  return allow;
}

}  // namespace

struct Service::Impl {
  Service& owner;
  ServiceCore core;
  std::unique_ptr<net::HttpServer> server;
  std::shared_ptr<asio::ssl::context> tls;
  asio::io_context background{1};
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread background_thread;
  std::atomic<int64_t> loop_lag_ms{0};
  bool started = false;

  Counter* unrouted[4] = {};
  Counter* shed[kPriorities] = {};
  Counter* admitted[kPriorities] = {};
  Counter& admin_refused;
  Counter& faults_delay;
  Counter& faults_abort;
  Counter& faults_reset;
  Gauge& lag_gauge;
  Gauge& connections;
  std::unique_ptr<RequestLog> request_log;

  Impl(Service& s, MetricsRegistry& m)
      : owner(s),
        admin_refused(m.counter(s.MetricName("admin_refused_total"),
                                "Admin calls refused for a missing or wrong token.")),
        faults_delay(m.counter(s.MetricName("faults_injected_total"),
                               "Requests the fault hook acted on, by kind.", {{"kind", "delay"}})),
        faults_abort(m.counter(s.MetricName("faults_injected_total"), "", {{"kind", "abort"}})),
        faults_reset(m.counter(s.MetricName("faults_injected_total"), "", {{"kind", "reset"}})),
        lag_gauge(m.gauge(s.MetricName("loop_lag_ms"), "Event-loop lag, the worst loop.")),
        connections(m.gauge(s.MetricName("connections"), "Client connections open now.")) {
    for (int c = 0; c < 4; ++c) {
      unrouted[c] =
          &m.counter(s.MetricName("http_requests_total"), "Requests by route and answer class.",
                     {{"route", "none"}, {"code", kClassNames[c]}});
    }
    for (int p = 0; p < kPriorities; ++p) {
      const char* name = PriorityName(static_cast<Priority>(p));
      shed[p] = &m.counter(s.MetricName("shed_total"),
                           "Requests refused (503 + Retry-After) to keep the service answering, "
                           "by priority.",
                           {{"priority", name}});
      admitted[p] = &m.counter(s.MetricName("admitted_total"), "Requests admitted, by priority.",
                               {{"priority", name}});
    }
  }

  const ServiceConfig& cfg() const { return owner.config_; }

  // ----- the connection -----
  asio::awaitable<void> Session(net::AnyStream stream) {
    beast::flat_buffer buffer;
    for (;;) {
      if (!co_await AwaitRequest(stream, buffer, cfg().idle_timeout)) co_return;
      RequestParser parser;
      parser.header_limit(cfg().header_limit);
      parser.body_limit(boost::none);              // each route says how much it takes
      stream.expires_after(cfg().header_timeout);  // slowloris: the whole header in time
      auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kTuple);
      if (ec) {
        if (auto answer = HeaderReadError(ec)) {
          unrouted[ClassOf(answer->result_int())]->Inc();
          Decorate(*answer);
          answer->keep_alive(false);
          answer->prepare_payload();
          stream.expires_after(cfg().send_timeout);
          co_await http::async_write(stream, *answer, kTuple);
        }
        co_return;
      }
      const bool keep = co_await Dispatch(stream, buffer, parser);
      if (!keep || !parser.get().keep_alive()) co_return;
    }
  }

  // The answer to a request whose header could not be read; none for a client that left.
  static std::optional<Response> HeaderReadError(const beast::error_code& ec) {
    if (ec == http::error::header_limit) return Error(431, "request header too large");
    if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      return std::nullopt;
    }
    return Error(400, "bad request: " + ec.message());
  }

  template <class Fields>
  void Decorate(Fields& f) const {
    f.set(http::field::server, core.server_header);
    if (core.cors) {
      f.set(http::field::access_control_allow_origin, "*");
      f.set(http::field::access_control_expose_headers, core.cors_expose);
    }
  }

  void Count(const Route* r, int status) {
    const int c = ClassOf(status);
    if (r && r->answered[c]) {
      r->answered[c]->Inc();
    } else {
      unrouted[c]->Inc();
    }
  }

  // An answer from the service itself (before or instead of the route's handler). `close`:
  // the request's body was not read, so the connection cannot carry another request.
  asio::awaitable<bool> Refuse(Exchange& ex, Response res, bool close) {
    if (close) res.keep_alive(false);
    const bool sent = co_await ex.Send(std::move(res));
    Count(ex.route_, ex.status_);
    co_return sent && !close;
  }

  // Returns whether the connection may carry another request.
  asio::awaitable<bool> Dispatch(net::AnyStream& stream, beast::flat_buffer& buffer,
                                 RequestParser& parser) {
    Clock* clock = owner.clock_;
    Exchange ex(core, stream, buffer, parser, clock->Monotonic(), clock->Now());
    // The client's address, while the stream is still ours (an upgrade takes it).
    std::string client;
    if (request_log) client = ClientOf(stream);
    const bool keep = co_await Handle(ex);
    if (request_log && (!ex.route_ || (ex.route_->logged && !ex.route_->admin))) {
      Log(ex, std::move(client));
    }
    co_return keep;
  }

  static std::string ClientOf(net::AnyStream& stream) {
    boost::system::error_code ec;
    const auto peer = stream.tcp().socket().remote_endpoint(ec);
    return ec ? "-" : peer.address().to_string();
  }

  void Log(const Exchange& ex, std::string client) {
    contract::RequestRecord r;
    r.at = ex.arrived();
    r.service = owner.config_.name;
    r.host = std::string(ex.header(http::field::host));
    r.client = std::move(client);
    r.method = std::string(ex.request().method_string());
    r.target = contract::TargetWithoutTokens(ex.target());
    r.priority = std::string(ex.header(contract::kPriority));
    if (!ex.body().empty()) {
      r.content_type = std::string(ex.header(http::field::content_type));
      r.body = contract::JsonWithoutTokens(ex.body());
      r.body_bytes = ex.body().size();
    }
    r.status = ex.status_;
    r.bytes = ex.bytes_;
    r.cache = ex.cache_;
    r.first_byte_us = ex.first_byte_us_;
    r.total_us = std::chrono::duration_cast<std::chrono::microseconds>(owner.clock_->Monotonic() -
                                                                       ex.start())
                     .count();
    request_log->Write(r);
  }

  asio::awaitable<bool> Handle(Exchange& ex) {
    Clock* clock = owner.clock_;
    RequestParser& parser = ex.parser();
    net::AnyStream& stream = ex.stream();
    bool has_body = HasBody(parser);  // and not read yet
    const http::verb method = ex.method();
    if (method == http::verb::options && core.cors)
      co_return co_await AnswerPreflight(ex, has_body);
    Match m = owner.routes_.Find(method, ex.path());
    if (!m.route) {
      if (m.path_known) co_return co_await Refuse(ex, MethodNotAllowed(m.allow), has_body);
      co_return co_await Refuse(ex, Error(404, "no such path", {}, "max-age=60"), has_body);
    }
    const Route& route = *m.route;
    ex.route_ = &route;
    ex.params_ = std::move(m.params);

    // The admin API: one token check for every admin route of every service.
    if (route.admin) {
      if (cfg().admin_token.empty()) {
        co_return co_await Refuse(
            ex, Error(403, "the admin API is off: start the service with --admin-token"), has_body);
      }
      if (!TokenMatches(ex.header(http::field::authorization), cfg().admin_token)) {
        admin_refused.Inc();
        co_return co_await Refuse(ex, Unauthorized(), true);
      }
    }
    // The body policy.
    if (has_body && route.body == Body::kNone && !route.upgrade) {
      co_return co_await Refuse(ex, Error(400, "this path takes no request body"), true);
    }
    const size_t limit = route.admin ? cfg().admin_body_limit : route.body_limit;
    if (route.body == Body::kBuffered && parser.content_length() &&
        *parser.content_length() > limit) {
      co_return co_await Refuse(ex, TooLarge(limit, "request body larger than the limit"), true);
    }
    // The body of a buffered route, before any refusal: a refused request leaves the
    // connection ready for the next one (pipelined clients, crowds on keep-alive).
    if (route.body == Body::kBuffered && has_body) {
      if (!co_await ReadBody(ex, limit)) {
        co_return co_await Refuse(
            ex, TooLarge(limit, "request body unreadable or larger than the limit"), true);
      }
      has_body = false;
    }
    // The request's priority.
    Priority p = route.admin ? Priority::kCritical : route.priority;
    if (route.classify) p = route.classify(ex);
    if (route.priority_header) {
      const std::string_view asked = ex.header(contract::kPriority);
      if (!asked.empty()) {
        const auto parsed = ParsePriority(asked);
        if (!parsed) {
          co_return co_await Refuse(
              ex, Error(400, "X-Onair-Priority must be live, catch-up or other"), has_body);
        }
        p = *parsed;
      }
    }
    ex.priority_ = p;
    // The fault hook (never on the admin API: the operator must be able to turn it off).
    if (route.faults && !route.admin && owner.faults_.active()) {
      const Faults::Decision d = owner.faults_.Decide(route.name, ex.path());
      if (d.delay_ms > 0) {
        faults_delay.Inc();
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(milliseconds(d.delay_ms));
        co_await timer.async_wait(kTuple);
      }
      if (d.reset) {
        faults_reset.Inc();
        Count(&route, 599);  // counted with the server errors
        // An RST, as a crashed or unplugged server gives.
        beast::error_code ec;
        stream.tcp().socket().set_option(asio::socket_base::linger(true, 0), ec);
        stream.Close();
        co_return false;
      }
      if (d.abort_status > 0) {
        faults_abort.Inc();
        co_return co_await Refuse(ex, Injected(d.abort_status), has_body);
      }
    }
    // Admission.
    Ticket ticket;
    if (!owner.admission_.Admit(p, ex.start(), &ticket)) {
      co_return co_await Shed(ex, p, has_body);
    }
    if (owner.config_.admission.take_turns) {
      // Behind the requests this loop has read already (docs/decisions.md).
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
      if (!owner.admission_.Begin(ticket)) co_return co_await Shed(ex, p, has_body);
    }
    admitted[static_cast<int>(p)]->Inc();
    // The handler.
    if (route.upgrade) co_return co_await Upgrade(ex, route);
    if (route.stream) {
      const bool keep = co_await route.stream(ex);
      Count(&route, ex.status_ ? ex.status_ : 200);
      co_return keep;
    }
    Reply reply;
    if (route.sync) {
      reply = route.sync(ex);
      if (reply.defer && route.async) reply = co_await route.async(ex);
    } else if (route.async) {
      reply = co_await route.async(ex);
    }
    owner.admission_.Done(ticket, std::chrono::duration_cast<std::chrono::microseconds>(
                                      clock->Monotonic() - ex.start()));
    const bool close = reply.close;
    if (close) reply.response.keep_alive(false);
    const bool sent = co_await ex.Send(std::move(reply));
    Count(&route, ex.status_);
    co_return sent && !close;
  }

  asio::awaitable<bool> Shed(Exchange& ex, Priority p, bool has_body) {
    shed[static_cast<int>(p)]->Inc();
    const int64_t ms = owner.admission_.RetryAfterMs(p, owner.clock_->Monotonic());
    co_return co_await Refuse(ex, RetryLater("overloaded: retry later", ms), has_body);
  }

  // A browser's CORS preflight: what the path allows.
  asio::awaitable<bool> AnswerPreflight(Exchange& ex, bool has_body) {
    const std::string allow = AllowedMethods(owner.routes_, ex.path());
    if (allow.empty()) co_return co_await Refuse(ex, Error(404, "no such path"), has_body);
    co_return co_await Refuse(ex, Preflight(allow), has_body);
  }

  // Reads a buffered route's body into the exchange, within the header timeout (a whole
  // request in time, whatever its pace); false if it is larger than `limit` or does not come.
  asio::awaitable<bool> ReadBody(Exchange& ex, size_t limit) {
    RequestParser& parser = ex.parser();
    parser.body_limit(limit);
    ex.stream().expires_after(cfg().header_timeout);
    std::string& body = ex.body_;
    constexpr size_t kStep = 16 * 1024;
    while (!parser.is_done()) {
      const size_t had = body.size();
      body.resize(had + kStep);
      parser.get().body().data = body.data() + had;
      parser.get().body().size = kStep;
      auto [ec, n] = co_await http::async_read_some(ex.stream(), ex.buffer(), parser, kTuple);
      body.resize(had + kStep - parser.get().body().size);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) co_return false;
    }
    co_return true;
  }

  asio::awaitable<bool> Upgrade(Exchange& ex, const Route& route) {
    if (!beast::websocket::is_upgrade(ex.request())) {
      co_return co_await Refuse(ex, Error(426, "a WebSocket upgrade is expected here"), false);
    }
    // The header as read, for the handshake's answer.
    http::request<http::empty_body> req;
    req.base() = ex.request().base();
    WebSocket ws(std::move(ex.stream()));
    ws.set_option(
        beast::websocket::stream_base::decorator([this](beast::websocket::response_type& r) {
          r.set(http::field::server, core.server_header);
        }));
    beast::get_lowest_layer(ws).expires_after(cfg().send_timeout);
    auto [ec] = co_await ws.async_accept(req, kTuple);
    Count(&route, ec ? 400 : 101);
    if (ec) co_return false;
    beast::get_lowest_layer(ws).expires_never();
    co_await route.upgrade(ex, ws);
    co_return false;  // the connection was the WebSocket's
  }

  // ----- the loop-lag probe: wakes every few ms on its loop and measures how late -----
  asio::awaitable<void> LagProbe() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      // A real timer against the real clock: this measures the loop, not the service's time.
      const auto expected = std::chrono::steady_clock::now() + cfg().lag_probe_interval;
      timer.expires_at(expected);
      auto [ec] = co_await timer.async_wait(kTuple);
      if (ec) co_return;
      const int64_t lag =
          std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - expected)
              .count();
      // A decaying maximum over the loops: rises at once, falls by half every tick.
      int64_t cur = loop_lag_ms.load();
      loop_lag_ms.compare_exchange_strong(cur, std::max(lag, cur / 2));
      owner.admission_.SetLoopLagMs(loop_lag_ms.load());
      lag_gauge.Set(loop_lag_ms.load());
    }
  }
};

Service::Service(ServiceConfig config, Clock* clock)
    : config_(std::move(config)),
      clock_(clock),
      admission_(config_.admission),
      faults_(clock),
      impl_(std::make_unique<Impl>(*this, metrics_)) {
  impl_->core.server_header = "onair-" + config_.name;
  impl_->core.cors = config_.cors;
  impl_->core.cors_expose = "Retry-After";
  impl_->core.send_timeout = config_.send_timeout;
  impl_->core.body_timeout = config_.body_timeout;
  AddBuiltins();
}

Service::~Service() { Stop(); }

std::string Service::MetricName(const std::string& suffix) const {
  return "onair_" + config_.name + "_" + suffix;
}

Route& Service::Add(Route route) {
  Route& r = routes_.Add(std::move(route));
  for (int c = 0; c < 4; ++c) {
    r.answered[c] =
        &metrics_.counter(MetricName("http_requests_total"), "Requests by route and answer class.",
                          {{"route", r.name}, {"code", kClassNames[c]}});
  }
  return r;
}

Route& Service::AddAdmin(Route route) {
  route.pattern = "/admin" + route.pattern;
  route.admin = true;
  route.priority = Priority::kCritical;
  route.faults = false;
  if (route.body == Body::kNone && route.mutates) route.body = Body::kBuffered;
  return Add(std::move(route));
}

PeriodicTask& Service::Every(std::string name, std::chrono::microseconds interval,
                             PeriodicTask::Job job) {
  periodic_.push_back(
      std::make_shared<PeriodicTask>(std::move(name), interval, std::move(job), clock_));
  if (impl_->started) periodic_.back()->Start(background());
  return *periodic_.back();
}

Status Service::Start() {
  if (impl_->started) return Status::Ok();
  net::ServerOptions listen = config_.listen;
  listen.name = config_.name;
  if (!config_.tls.certificate_chain.empty() || !config_.tls.private_key.empty()) {
    auto ctx = net::ServerTlsContext(config_.tls);
    if (!ctx.ok()) return ctx.status();
    impl_->tls = *ctx;
    listen.tls = impl_->tls;
  } else {
    listen.tls = nullptr;
  }
  impl_->server = std::make_unique<net::HttpServer>(
      listen, [impl = impl_.get()](net::AnyStream s) { return impl->Session(std::move(s)); });
  if (!config_.request_log.empty() && !impl_->request_log) {
    auto log = RequestLog::Open(config_.request_log);
    if (!log.ok()) return log.status();
    impl_->request_log = std::move(*log);
  }
  ONAIR_RETURN_IF_ERROR(impl_->server->Start());
  impl_->server->ForEachLoop([impl = impl_.get()](asio::io_context& ctx) {
    asio::co_spawn(ctx, impl->LagProbe(), asio::detached);
  });
  impl_->work = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      impl_->background.get_executor());
  impl_->background.restart();
  impl_->background_thread = std::thread([impl = impl_.get()] { impl->background.run(); });
  impl_->started = true;
  for (auto& t : periodic_) t->Start(background());
  return Status::Ok();
}

void Service::Stop() {
  if (!impl_ || !impl_->started) return;
  impl_->started = false;
  for (auto& t : periodic_) t->Stop();
  if (impl_->server) impl_->server->Stop();
  impl_->work.reset();
  impl_->background.stop();
  if (impl_->background_thread.joinable()) impl_->background_thread.join();
}

int Service::port() const { return impl_->server ? impl_->server->port() : 0; }

int Service::tls_port() const { return impl_->server ? impl_->server->tls_port() : 0; }

std::string Service::url() const {
  const std::string host = config_.listen.host == "0.0.0.0" ? "127.0.0.1" : config_.listen.host;
  return "http://" + host + ":" + std::to_string(port());
}

bool Service::running() const { return impl_->started; }

int64_t Service::open_connections() const {
  return impl_->server ? impl_->server->open_connections() : 0;
}

asio::any_io_executor Service::background() { return impl_->background.get_executor(); }

void Service::ForEachLoop(const std::function<void(asio::io_context&)>& f) {
  if (impl_->server) impl_->server->ForEachLoop(f);
}

}  // namespace onair::service
