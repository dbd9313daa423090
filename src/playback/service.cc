#include "playback/service.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/bearer.h"
#include "core/log.h"
#include "net/http_answers.h"
#include "net/http_client.h"
#include "net/url.h"
#include "net/waiter.h"
#include "playback/answer.h"
#include "playback/device.h"
#include "playback/qoe_events.h"
#include "web/assets.h"

namespace onair::playback {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

using Response = http::response<http::string_body>;
constexpr const char* kServer = "onair-playback";
constexpr size_t kMaxAdminBody = 64 * 1024;

// The value of `key` in a query string ("a=1&b=2"); "" when absent.
std::string QueryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view kv = query.substr(0, amp);
    const size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key && eq != std::string_view::npos) {
      return std::string(kv.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return "";
}

// What the request says of its priority (X-Onair-Priority), or the route's default.
std::optional<Priority> PriorityOf(std::string_view header, Priority fallback) {
  if (header.empty()) return fallback;
  if (header == "live") return Priority::kLiveStart;
  if (header == "catch-up") return Priority::kCatchUpStart;
  if (header == "other") return Priority::kOther;
  return std::nullopt;
}

const char* FormatName(Format f) { return f == Format::kHls ? "hls" : "dash"; }

}  // namespace

// A manifest answer as sent: the whole HTTP/1.1 response, and where its body starts.
struct Made {
  std::string raw;
  size_t body_at = 0;
  Format format = Format::kDash;
  std::string_view body() const { return std::string_view(raw).substr(body_at); }
};

Made MakeAnswer(Format f, const std::string& body) {
  Made m;
  m.format = f;
  m.raw = std::string("HTTP/1.1 200 OK\r\nServer: ") + kServer + "\r\nContent-Type: " +
          (f == Format::kHls ? "application/vnd.apple.mpegurl" : "application/dash+xml") +
          "\r\nCache-Control: private, no-store\r\nAccess-Control-Allow-Origin: *\r\n"
          "Access-Control-Expose-Headers: Retry-After\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n";
  m.body_at = m.raw.size();
  m.raw += body;
  return m;
}

// What every request reads at once: the fleet with its health and the operator's levers, and
// the generic answers made from them; replaced whole when any of them changes.
struct View {
  std::vector<EdgeEntry> edges;
  std::vector<EdgeHealth> health;  // drained edges marked "drained" here
  Levers levers;
  std::map<std::string, std::shared_ptr<const Made>> generic;  // "event/dash", "event/hls"
};

// What an event loop keeps for itself, without locks: the view it last read (read again only
// when it was replaced: no lock and no shared count touched per request), and the answers made
// since then. A crowd of devices is a handful of device classes (event, format, region,
// renditions), and answers made within the same second are the same but for publishTime.
struct PlaybackLoop {
  const void* owner = nullptr;
  uint64_t generation = 0;
  std::shared_ptr<const View> view;
  std::unordered_map<std::string, std::shared_ptr<const Made>> answers;
};

struct PlaybackService::Impl {
  const PlaybackConfig& cfg;
  Clock* clock;
  MetricsRegistry& m;
  std::string public_url;
  Catalog catalog;
  Admission admission;
  net::HttpServer* server = nullptr;

  // The fleet and the levers (written by the poller and the admin API).
  std::mutex fleet_mu;
  std::vector<EdgeEntry> edges;
  std::vector<EdgeHealth> health;
  Levers levers;
  std::set<std::string> lever_types, edge_names_seen;  // series to zero when they go
  std::map<std::string, std::unique_ptr<net::HttpConnection>> status_conns;  // poller only

  mutable std::mutex view_mu;
  std::shared_ptr<const View> view;
  std::atomic<uint64_t> view_generation{1};

  std::mutex poll_mu;
  std::condition_variable poll_cv;
  bool stopping = false;
  std::thread poller;

  // ----- metrics -----
  Counter* requests[kPriorities][6] = {};  // by priority and answer class (see AnswerClass)
  Counter* shed[kPriorities] = {};
  Counter& answers_personal_dash =
      m.counter("onair_playback_answers_total", "Manifests answered, by kind and format.",
                {{"kind", "personalised"}, {"format", "dash"}});
  Counter& answers_personal_hls =
      m.counter("onair_playback_answers_total", "", {{"kind", "personalised"}, {"format", "hls"}});
  Counter& answers_generic_dash =
      m.counter("onair_playback_answers_total", "", {{"kind", "generic"}, {"format", "dash"}});
  Counter& answers_generic_hls =
      m.counter("onair_playback_answers_total", "", {{"kind", "generic"}, {"format", "hls"}});
  Counter& steering_answers = m.counter("onair_playback_steering_answers_total",
                                        "Content-steering answers to running players.");
  Counter& bad_requests = m.counter("onair_playback_refused_total",
                                    "Requests refused as malformed or unanswerable, by reason.",
                                    {{"reason", "bad-request"}});
  Counter* qoe_events[kQoeTypes] = {};
  Counter& qoe_batches_accepted =
      m.counter("onair_playback_qoe_batches_total", "QoE event batches from players, by result.",
                {{"result", "accepted"}});
  Counter& qoe_batches_refused =
      m.counter("onair_playback_qoe_batches_total", "", {{"result", "refused"}});
  Histogram& qoe_ttff = m.histogram("onair_playback_qoe_ttff_seconds",
                                    "Time to first frame reported by players (start events).");
  Counter& qoe_rebuffer_ms = m.counter("onair_playback_qoe_rebuffer_milliseconds_total",
                                       "Rebuffering reported by players.");
  Histogram& latency = m.histogram("onair_playback_latency_seconds",
                                   "Admitted requests: body read to answer written.");
  Gauge& limit_gauge = m.gauge("onair_playback_concurrency_limit",
                               "The adaptive concurrency limit (requests in flight).");
  Gauge& in_flight_gauge =
      m.gauge("onair_playback_in_flight", "Admitted requests being answered now.");
  Gauge& personalise_gauge = m.gauge("onair_playback_lever_personalisation",
                                     "1 while answers are made for each device, 0 generic.");
  Gauge& edges_eligible = m.gauge("onair_playback_edges_eligible",
                                  "Edges new viewers may be sent to (healthy, fresh, not full).");

  Impl(const PlaybackConfig& c, Clock* clk, MetricsRegistry& metrics)
      : cfg(c),
        clock(clk),
        m(metrics),
        catalog(c.origins, c.catalog),
        admission(c.admission),
        edges(c.edges),
        health(c.edges.size()),
        levers(c.levers) {
    static const char* kClasses[] = {"2xx", "400", "404", "422", "503", "other"};
    for (int p = 0; p < kPriorities; ++p) {
      const std::string name = PriorityName(static_cast<Priority>(p));
      for (int k = 0; k < 6; ++k) {
        requests[p][k] = &m.counter("onair_playback_requests_total",
                                    "Requests to /v1/playback and /v1/steering, by priority and "
                                    "answer.",
                                    {{"priority", name}, {"answer", kClasses[k]}});
      }
      shed[p] = &m.counter("onair_playback_shed_total",
                           "Requests refused (503) to keep latency under the target.",
                           {{"priority", name}});
    }
    for (int t = 0; t < kQoeTypes; ++t) {
      qoe_events[t] =
          &m.counter("onair_playback_qoe_events_total", "QoE events from players, by type.",
                     {{"type", QoeTypeName(static_cast<QoeType>(t))}});
    }
    std::lock_guard<std::mutex> lock(fleet_mu);
    RebuildLocked();
  }

  static int AnswerClass(int status) {
    switch (status) {
      case 400:
        return 1;
      case 404:
        return 2;
      case 422:
        return 3;
      case 503:
        return 4;
      default:
        return status >= 200 && status < 300 ? 0 : 5;
    }
  }

  std::shared_ptr<const View> CurrentView() const {
    std::lock_guard<std::mutex> lock(view_mu);
    return view;
  }

  // This loop's view and answers; valid until the request's next co_await.
  PlaybackLoop& Loop() {
    thread_local PlaybackLoop loop;
    const uint64_t now = view_generation.load(std::memory_order_acquire);
    if (loop.owner != this || loop.generation != now || !loop.view) {
      loop.view = CurrentView();
      loop.generation = now;
      loop.owner = this;
      loop.answers.clear();
    }
    return loop;
  }

  // ----- the view: fleet, levers, generic answers -----
  void RebuildLocked() {
    auto v = std::make_shared<View>();
    v->edges = edges;
    v->health = health;
    v->levers = levers;
    for (size_t k = 0; k < v->edges.size(); ++k) {
      const auto& d = levers.drained;
      if (std::find(d.begin(), d.end(), v->edges[k].name) != d.end())
        v->health[k].state = "drained";
    }
    // The generic answers, made ahead only while they are served.
    const auto events =
        levers.personalise ? std::vector<std::shared_ptr<const CatalogEvent>>{} : catalog.Events();
    for (const auto& ev : events) {
      for (Format f : {Format::kDash, Format::kHls}) {
        auto body = GenericAnswer(*v, *ev, f);
        if (body) {
          v->generic[ev->config.event + "/" + FormatName(f)] =
              std::make_shared<const Made>(MakeAnswer(f, *body));
        }
      }
    }
    // Metrics of the levers and the fleet, now.
    personalise_gauge.Set(levers.personalise ? 1 : 0);
    std::vector<std::pair<std::string, QualityCap>> caps = levers.quality.by_type;
    caps.emplace_back("all", levers.quality.all);
    for (const auto& [type, cap] : caps) lever_types.insert(type);
    for (const std::string& type : lever_types) {
      QualityCap cap;
      for (const auto& [t, c] : caps) {
        if (t == type) cap = c;
      }
      m.gauge("onair_playback_lever_max_height",
              "The operator's cap on picture height (0: none), by device type.",
              {{"device_type", type}})
          .Set(cap.max_height);
      m.gauge("onair_playback_lever_max_bitrate",
              "The operator's cap on bitrate, bits/s (0: none), by device type.",
              {{"device_type", type}})
          .Set(cap.max_bitrate);
    }
    const auto now = steady_clock::now();
    const auto ranked = RankEdges(v->edges, v->health, "", now, AllOf(cfg.rank));
    edges_eligible.Set(static_cast<int64_t>(ranked.size()));
    for (const EdgeEntry& e : v->edges) edge_names_seen.insert(e.name);
    for (const std::string& name : edge_names_seen) {
      int64_t eligible = 0, drained = 0;
      for (const EdgeEntry* r : ranked) eligible += r->name == name ? 1 : 0;
      for (const std::string& d : levers.drained) drained += d == name ? 1 : 0;
      m.gauge("onair_playback_edge_eligible", "1 while new viewers may be sent to this edge.",
              {{"edge", name}})
          .Set(eligible);
      m.gauge("onair_playback_lever_edge_drained", "1 while the operator drains this edge.",
              {{"edge", name}})
          .Set(drained);
    }
    {
      std::lock_guard<std::mutex> lock(view_mu);
      view = std::move(v);
    }
    view_generation.fetch_add(1, std::memory_order_release);
  }

  static RankOptions AllOf(RankOptions o) {
    o.most = SIZE_MAX;
    return o;
  }

  // The answer made for nobody in particular (personalisation off): every rendition under the
  // all-device cap, the edges ranked for no region.
  std::optional<std::string> GenericAnswer(const View& v, const CatalogEvent& ev, Format f) const {
    Device anyone;
    anyone.avc = anyone.hevc = true;
    anyone.format = f;
    QualityLevers all;
    all.all = v.levers.quality.all;
    const auto rungs = SelectRenditions(ev.config, anyone, all);
    const auto ranked = RankEdges(v.edges, v.health, "", steady_clock::now(), cfg.rank);
    if (rungs.empty() || ranked.empty()) return std::nullopt;
    return Manifest(ev, anyone, rungs, ranked);
  }

  std::string Manifest(const CatalogEvent& ev, const Device& device,
                       const std::vector<const RenditionConfig*>& rungs,
                       const std::vector<const EdgeEntry*>& ranked) const {
    return ManifestFor(ev, device, rungs, ranked, {public_url, cfg.target_latency_us},
                       clock->Now());
  }

  // ----- the edges' status, polled -----
  void PollLoop() {
    for (;;) {
      std::vector<EdgeEntry> list;
      {
        std::lock_guard<std::mutex> lock(fleet_mu);
        list = edges;
      }
      std::vector<std::pair<std::string, EdgeHealth>> polled;
      for (const EdgeEntry& e : list) polled.emplace_back(e.name, Poll(e));
      {
        std::lock_guard<std::mutex> lock(fleet_mu);
        for (const auto& [name, h] : polled) {
          for (size_t k = 0; k < edges.size(); ++k) {
            if (edges[k].name == name) health[k] = h;
          }
        }
        std::erase_if(status_conns, [&](const auto& kv) {
          return std::none_of(edges.begin(), edges.end(),
                              [&](const EdgeEntry& e) { return e.name == kv.first; });
        });
        RebuildLocked();
      }
      std::unique_lock<std::mutex> lock(poll_mu);
      if (poll_cv.wait_for(lock, cfg.poll_interval, [&] { return stopping; })) return;
    }
  }

  EdgeHealth Poll(const EdgeEntry& e) {
    EdgeHealth down;
    down.polled = steady_clock::now();
    auto url = net::ParseUrl(e.base_url);
    if (!url.ok()) return down;
    auto& conn = status_conns[e.name];
    if (!conn) conn = std::make_unique<net::HttpConnection>(*url);
    auto r = conn->Send("GET", url->path + "/v1/edge/status", {}, "", cfg.poll_timeout);
    const auto now = steady_clock::now();
    if (!r.ok() || r->status != 200) {
      conn.reset();
      down.polled = now;
      return down;
    }
    auto h = ParseEdgeStatus(r->body, now);
    if (!h.ok()) {
      Logger("playback")->warn("edge {}: {}", e.name, h.status().message());
      down.polled = now;
      return down;
    }
    return *h;
  }

  // ----- answers -----
  // An answer: a manifest made (or cached) whole, or any other response.
  struct Answer {
    std::shared_ptr<const Made> made;
    Response res;
    int status() const { return made ? 200 : res.result_int(); }
  };

  static Answer Other(Response res) { return {nullptr, std::move(res)}; }

  static Response Text(int status, unsigned version, std::string body) {
    return net::TextAnswer(status, version, std::move(body), kServer);
  }

  static Response Json(int status, unsigned version, std::string body) {
    Response res(static_cast<http::status>(status), version);
    res.set(http::field::server, kServer);
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    return res;
  }

  static Response Error(int status, unsigned version, const std::string& message) {
    return Json(status, version, nlohmann::json{{"error", message}}.dump() + "\n");
  }

  // A 503 that tells the client when to come back: Retry-After in whole seconds (rounded up),
  // the milliseconds in the body.
  static Response Later(unsigned version, const std::string& message, int64_t retry_ms) {
    Response res =
        Json(503, version,
             nlohmann::json{{"error", message}, {"retry_after_ms", retry_ms}}.dump() + "\n");
    res.set(http::field::retry_after, std::to_string((retry_ms + 999) / 1000));
    return res;
  }

  asio::awaitable<bool> Send(beast::tcp_stream& stream, Response res, bool head = false) {
    // Browsers' players call from the page's origin.
    res.set(http::field::access_control_allow_origin, "*");
    res.set(http::field::access_control_expose_headers, "Retry-After");
    return net::SendAnswer(stream, std::move(res), cfg.send_timeout, head);
  }

  // ----- the connection -----
  asio::awaitable<void> Session(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    for (;;) {
      if (!co_await net::AwaitRequest(stream, buffer, cfg.idle_timeout)) co_return;
      http::request_parser<http::string_body> parser;
      parser.header_limit(cfg.header_limit);
      stream.expires_after(cfg.header_timeout);
      // The largest body of any request (the admin API's) until the header says which it is;
      // Beast checks a Content-Length against the limit as it reads the header.
      parser.body_limit(std::max(kMaxAdminBody, kMaxEventBatchBody));
      auto [ec, hn] = co_await http::async_read_header(stream, buffer, parser, kTuple);
      if (!ec) {
        const std::string_view target = parser.get().target();
        const size_t limit = target.starts_with("/v1/admin/")   ? kMaxAdminBody
                             : target.starts_with("/v1/events") ? kMaxEventBatchBody
                                                                : kMaxDeviceBody;
        if (parser.content_length() && *parser.content_length() > limit) {
          ec = http::error::body_limit;
        } else {
          parser.body_limit(limit);  // a chunked body is counted as it comes
        }
      }
      if (!ec) {
        auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kTuple);
        ec = bec;
      }
      if (ec) {
        if (auto answer = net::HeaderReadError(ec, kServer)) {
          answer->keep_alive(false);
          co_await Send(stream, std::move(*answer));
        }
        co_return;
      }
      const bool keep = co_await Handle(stream, parser.get());
      if (!keep || !parser.get().keep_alive()) co_return;
    }
  }

  asio::awaitable<bool> Handle(beast::tcp_stream& stream,
                               const http::request<http::string_body>& req) {
    const unsigned v = req.version();
    const std::string_view target = req.target();
    const size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
    const auto method = req.method();
    if (method == http::verb::options) {  // a browser's preflight
      Response res(http::status::no_content, v);
      res.set(http::field::server, kServer);
      res.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
      res.set(http::field::access_control_allow_headers, "Content-Type, X-Onair-Priority");
      res.set(http::field::access_control_max_age, "86400");
      co_return co_await Send(stream, std::move(res));
    }
    if (path.starts_with("/v1/admin/")) co_return co_await Admin(stream, req, path);
    if (path.starts_with("/v1/playback/")) {
      if (method != http::verb::post) {
        auto res = Error(405, v, "POST the device's description");
        res.set(http::field::allow, "POST, OPTIONS");
        co_return co_await Send(stream, std::move(res));
      }
      co_return co_await Play(stream, req, std::string(path.substr(13)));
    }
    if (path == "/v1/events") {
      if (method != http::verb::post) {
        auto res = Error(405, v, "POST a batch of QoE events");
        res.set(http::field::allow, "POST, OPTIONS");
        co_return co_await Send(stream, std::move(res));
      }
      co_return co_await Events(stream, req);
    }
    if (method != http::verb::get && method != http::verb::head) {
      co_return co_await Send(stream, Text(405, v, "GET or HEAD"));
    }
    const bool head = method == http::verb::head;
    if (path.starts_with("/v1/steering/")) {
      co_return co_await Steering(stream, req, std::string(path.substr(13)), query, head);
    }
    if (path == "/v1/time") {
      // The clock players sync to (UTCTiming, urn:mpeg:dash:utc:http-iso:2014).
      // Exactly the time, no newline: clients hand the body to a date parser.
      Response res(http::status::ok, v);
      res.set(http::field::server, kServer);
      res.set(http::field::content_type, "text/plain");
      res.set(http::field::cache_control, "no-store");
      res.body() = FormatUtc(clock->Now(), true);
      co_return co_await Send(stream, std::move(res), head);
    }
    if (const web::Asset* asset = web::FindAsset(path)) {
      // The web player (web/): its page and scripts, embedded in the binary.
      Response res(http::status::ok, v);
      res.set(http::field::server, kServer);
      res.set(http::field::content_type, asset->content_type);
      res.set(http::field::cache_control, asset->immutable ? "public, max-age=86400" : "no-cache");
      res.body() = std::string(asset->bytes);
      co_return co_await Send(stream, std::move(res), head);
    }
    if (path == "/healthz") co_return co_await Send(stream, Text(200, v, "ok"), head);
    if (path == "/readyz") co_return co_await Send(stream, Text(200, v, "ready"), head);
    if (path == "/metrics") {
      limit_gauge.Set(static_cast<int64_t>(admission.limit()));
      in_flight_gauge.Set(admission.in_flight());
      auto res = Text(200, v, m.Text());
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      co_return co_await Send(stream, std::move(res), head);
    }
    co_return co_await Send(stream, Text(404, v, "no such path"), head);
  }

  // A refused or evicted request: 503 with the server-chosen backoff.
  asio::awaitable<bool> Shed(beast::tcp_stream& stream, unsigned v, Priority p,
                             steady_clock::time_point now, bool head) {
    const int pi = static_cast<int>(p);
    shed[pi]->Inc();
    requests[pi][AnswerClass(503)]->Inc();
    co_return co_await Send(
        stream, Later(v, "overloaded: retry later", admission.RetryAfterMs(p, now)), head);
  }

  // An admitted request waits behind the requests its loop has already read: so that "in
  // flight" counts the requests a loop holds (read, not yet answered), the queue that grows
  // under overload, and their latency includes that wait (docs/playback.md, "Admission").
  static asio::awaitable<void> Behind() {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  }

  // Sends an admitted request's answer. Its place is given back once the answer is made
  // (the write is the kernel's business), and the limit learns that latency.
  asio::awaitable<bool> Finish(beast::tcp_stream& stream, Priority p,
                               steady_clock::time_point start, Answer answer, bool head = false) {
    admission.Done(
        std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - start));
    const int status = answer.status();
    bool ok = false;
    if (answer.made) {
      stream.expires_after(cfg.send_timeout);
      auto [ec, n] = co_await asio::async_write(stream, asio::buffer(answer.made->raw), kTuple);
      ok = !ec;
    } else {
      ok = co_await Send(stream, std::move(answer.res), head);
    }
    latency.Observe(std::chrono::duration<double>(steady_clock::now() - start).count());
    requests[static_cast<int>(p)][AnswerClass(status)]->Inc();
    co_return ok;
  }

  // A request's priority and its admission: true when its turn has come (answer it, then
  // Finish); false when it was refused, its answer sent (400 for a bad priority, 503 shed).
  asio::awaitable<bool> Turn(beast::tcp_stream& stream, const http::request<http::string_body>& req,
                             Priority fallback, bool head, Ticket* ticket, Priority* p,
                             steady_clock::time_point* start) {
    const unsigned v = req.version();
    auto priority = PriorityOf(req["X-Onair-Priority"], fallback);
    if (!priority) {
      bad_requests.Inc();
      co_await Send(stream, Error(400, v, "X-Onair-Priority must be live, catch-up or other"));
      co_return false;
    }
    *p = *priority;
    *start = steady_clock::now();
    if (!admission.Admit(*p, *start, ticket)) {
      co_await Shed(stream, v, *p, *start, head);
      co_return false;
    }
    co_await Behind();
    if (admission.Begin(*ticket)) co_return true;
    // A more critical request took its place meanwhile.
    co_await Shed(stream, v, ticket->priority, steady_clock::now(), head);
    co_return false;
  }

  asio::awaitable<bool> Play(beast::tcp_stream& stream, const http::request<http::string_body>& req,
                             std::string event) {
    Ticket ticket;
    Priority p = Priority::kOther;
    steady_clock::time_point start;
    const bool turn = co_await Turn(stream, req, Priority::kLiveStart, false, &ticket, &p, &start);
    if (!turn) co_return true;
    const unsigned v = req.version();
    Answer answer;
    auto device = ParseDevice(req.body());
    if (!IsSafeName(event)) {
      answer = Other(Error(404, v, "no such event"));
    } else if (!device.ok()) {
      bad_requests.Inc();
      answer = Other(Error(400, v, std::string(device.status().message())));
    } else {
      Catalog::Found found = catalog.Find(event, nullptr);
      if (found.state == Catalog::State::kPending) found = co_await AwaitEvent(event);
      answer = PlayAnswer(v, event, *device, found);
    }
    if (answer.made && (req.version() != 11 || !req.keep_alive())) {
      // Not a keep-alive HTTP/1.1 request: the body in an answer of its own.
      Response res(http::status::ok, req.version());
      res.set(http::field::server, kServer);
      res.set(http::field::content_type, answer.made->format == Format::kHls
                                             ? "application/vnd.apple.mpegurl"
                                             : "application/dash+xml");
      res.set(http::field::cache_control, "private, no-store");
      res.body() = std::string(answer.made->body());
      answer = Other(std::move(res));
    }
    co_return co_await Finish(stream, p, start, std::move(answer));
  }

  // A batch of QoE events from a player: checked, counted by type (the metrics service
  // aggregates them; docs/player.md, "QoE events"). The least critical request there is.
  asio::awaitable<bool> Events(beast::tcp_stream& stream,
                               const http::request<http::string_body>& req) {
    Ticket ticket;
    Priority p = Priority::kOther;
    steady_clock::time_point start;
    const bool turn = co_await Turn(stream, req, Priority::kOther, false, &ticket, &p, &start);
    if (!turn) co_return true;
    co_return co_await Finish(stream, p, start, Other(EventsAnswer(req.version(), req.body())));
  }

  Response EventsAnswer(unsigned v, const std::string& body) {
    auto batch = ParseQoeBatch(body);
    if (!batch.ok()) {
      bad_requests.Inc();
      qoe_batches_refused.Inc();
      return Error(400, v, std::string(batch.status().message()));
    }
    qoe_batches_accepted.Inc();
    for (const QoeEvent& e : batch->events) {
      qoe_events[static_cast<int>(e.type)]->Inc();
      if (e.ttff_ms >= 0) qoe_ttff.Observe(e.ttff_ms / 1e3);
      if (e.duration_ms >= 0 && e.type == QoeType::kRebuffer) {
        qoe_rebuffer_ms.Inc(static_cast<uint64_t>(e.duration_ms));
      }
    }
    return Json(202, v, nlohmann::json{{"accepted", batch->events.size()}}.dump() + "\n");
  }

  // The answer to a play start whose device was read and whose event was looked up. Plain
  // code, no co_await: the view and answers of this loop stay the request's throughout.
  Answer PlayAnswer(unsigned v, const std::string& event, const Device& device,
                    const Catalog::Found& found) {
    switch (found.state) {
      case Catalog::State::kReady:
        break;
      case Catalog::State::kMissing:
        return Other(Error(404, v, "no event '" + event + "'"));
      case Catalog::State::kNotReady:
        return Other(Later(v, "event '" + event + "' has no video yet", 2000));
      default:
        return Other(Later(v, "the origin does not answer", 2000));
    }
    const CatalogEvent& ev = *found.event;
    PlaybackLoop& loop = Loop();  // no co_await below: it stays this request's
    const View& view = *loop.view;
    const Format f = device.format;
    if (!view.levers.personalise) {
      auto it = view.generic.find(event + "/" + FormatName(f));
      std::shared_ptr<const Made> made;
      if (it != view.generic.end()) {
        made = it->second;
      } else if (auto body = GenericAnswer(view, ev, f)) {  // an event new since the last poll
        made = std::make_shared<const Made>(MakeAnswer(f, *body));
      }
      if (!made) {
        return Other(Later(v, "no edge can take new viewers", 1000 * cfg.steering_ttl_s));
      }
      (f == Format::kHls ? answers_generic_hls : answers_generic_dash).Inc();
      return Answer{std::move(made), {}};
    }
    const auto rungs = SelectRenditions(ev.config, device, view.levers.quality);
    if (rungs.empty()) {
      std::string codecs;
      for (const RenditionConfig& r : ev.config.ladder) {
        const std::string name = VideoCodecName(r.codec);
        if (codecs.find(name) == std::string::npos) codecs += (codecs.empty() ? "" : ", ") + name;
      }
      return Other(
          Error(422, v, "the device decodes none of the event's video codecs (" + codecs + ")"));
    }
    // The device's class: the same answer for every device in it until the view changes.
    uint64_t mask = 0;
    for (const RenditionConfig* r : rungs) mask |= uint64_t{1} << (r - ev.config.ladder.data());
    std::string key = std::to_string(ev.version) + (f == Format::kHls ? "|h|" : "|d|") +
                      std::to_string(mask) + "|" + device.region;
    if (auto hit = loop.answers.find(key); hit != loop.answers.end()) {
      (f == Format::kHls ? answers_personal_hls : answers_personal_dash).Inc();
      return Answer{hit->second, {}};
    }
    const auto ranked =
        RankEdges(view.edges, view.health, device.region, steady_clock::now(), cfg.rank);
    if (ranked.empty()) {
      return Other(Later(v, "no edge can take new viewers", 1000 * cfg.steering_ttl_s));
    }
    auto made = std::make_shared<const Made>(MakeAnswer(f, Manifest(ev, device, rungs, ranked)));
    if (loop.answers.size() < 10'000) loop.answers.emplace(std::move(key), made);
    (f == Format::kHls ? answers_personal_hls : answers_personal_dash).Inc();
    return Answer{std::move(made), {}};
  }

  // The event from the catalog; a first ask waits (at most first_fetch_wait) for the fetch.
  // An event not known yet: wait for its fetch (asked again, now with a wake-up).
  asio::awaitable<Catalog::Found> AwaitEvent(const std::string& event) {
    auto waiter = std::make_shared<net::Waiter>(co_await asio::this_coro::executor);
    Catalog::Found f = catalog.Find(event, [waiter] { waiter->Wake(); });
    if (f.state != Catalog::State::kPending) co_return f;
    co_await waiter->Wait(steady_clock::now() + cfg.first_fetch_wait);
    co_return catalog.Find(event, nullptr);
  }

  asio::awaitable<bool> Steering(beast::tcp_stream& stream,
                                 const http::request<http::string_body>& req,
                                 const std::string& event, std::string_view query, bool head) {
    Ticket ticket;
    Priority p = Priority::kOther;
    steady_clock::time_point start;
    const bool turn = co_await Turn(stream, req, Priority::kOther, head, &ticket, &p, &start);
    if (!turn) co_return true;
    co_return co_await Finish(stream, p, start, Other(SteeringAnswer(req.version(), event, query)),
                              head);
  }

  // Where a running player should fetch from now (DASH-IF / HLS content steering).
  Response SteeringAnswer(unsigned v, const std::string& event, std::string_view query) {
    const std::string format = QueryValue(query, "format");
    const std::string region = QueryValue(query, "region");
    const std::string type = QueryValue(query, "type");
    if (!IsSafeName(event)) return Error(404, v, "no such event");
    if (format != "dash" && format != "hls") {
      bad_requests.Inc();
      return Error(400, v, "format must be dash or hls");
    }
    if (!region.empty() && !IsSafeName(region)) {
      bad_requests.Inc();
      return Error(400, v, "region must be a name of [a-zA-Z0-9_-]");
    }
    if (!type.empty() && !IsSafeName(type)) {
      bad_requests.Inc();
      return Error(400, v, "type must be a name of [a-zA-Z0-9_-]");
    }
    const View& view = *Loop().view;
    const auto ranked = RankEdges(view.edges, view.health, view.levers.personalise ? region : "",
                                  steady_clock::now(), cfg.rank);
    if (ranked.empty()) return Later(v, "no edge can take new viewers", 1000 * cfg.steering_ttl_s);
    std::string reload = public_url + "/v1/steering/" + event + "?format=" + format;
    if (!region.empty()) reload += "&region=" + region;
    if (!type.empty()) reload += "&type=" + type;
    steering_answers.Inc();
    return Json(200, v,
                SteeringJson(format == "hls", ranked, cfg.steering_ttl_s, reload,
                             CapFor(view.levers.quality, type)));
  }

  // ----- the operator's levers (Authorization: Bearer {admin token}) -----
  asio::awaitable<bool> Admin(beast::tcp_stream& stream,
                              const http::request<http::string_body>& req, std::string_view path) {
    const unsigned v = req.version();
    if (cfg.admin_token.empty()) {
      co_return co_await Send(stream, Error(403, v, "the admin API is off (no --admin-token)"));
    }
    if (!TokenMatches(req[http::field::authorization], cfg.admin_token)) {
      auto res = Error(401, v, "an admin token is required");
      res.set(http::field::www_authenticate, "Bearer");
      res.keep_alive(false);
      co_await Send(stream, std::move(res));
      co_return false;
    }
    const auto method = req.method();
    if (path == "/v1/admin/levers") {
      if (method == http::verb::patch || method == http::verb::put) {
        std::unique_lock<std::mutex> lock(fleet_mu);
        auto next = ApplyLevers(levers, req.body());
        if (!next.ok()) {
          lock.unlock();
          co_return co_await Send(stream, Error(400, v, std::string(next.status().message())));
        }
        levers = *next;
        RebuildLocked();
        Logger("playback")->warn("levers now {}", LeversToJson(levers));
      } else if (method != http::verb::get) {
        auto res = Error(405, v, "GET or PATCH");
        res.set(http::field::allow, "GET, PATCH");
        co_return co_await Send(stream, std::move(res));
      }
      co_return co_await Send(stream, Json(200, v, LeversJson() + "\n"));
    }
    if (path == "/v1/admin/edges") {
      co_return co_await Send(stream, Json(200, v, EdgesJson() + "\n"));
    }
    if (path.starts_with("/v1/admin/edges/")) {
      const std::string name(path.substr(16));
      if (method == http::verb::put) {
        auto e = ParseEdgeEntry(name, req.body());
        if (!e.ok()) {
          co_return co_await Send(stream, Error(400, v, std::string(e.status().message())));
        }
        std::lock_guard<std::mutex> lock(fleet_mu);
        bool found = false;
        for (auto& known : edges) {
          if (known.name == name) {
            known = *e;
            found = true;
          }
        }
        if (!found) {
          edges.push_back(*e);
          health.emplace_back();  // unknown until its first poll
        }
        RebuildLocked();
        Logger("playback")->info("edge {} registered at {}", name, e->base_url);
      } else if (method == http::verb::delete_) {
        std::lock_guard<std::mutex> lock(fleet_mu);
        for (size_t k = 0; k < edges.size();) {
          if (edges[k].name == name) {
            edges.erase(edges.begin() + static_cast<std::ptrdiff_t>(k));
            health.erase(health.begin() + static_cast<std::ptrdiff_t>(k));
          } else {
            ++k;
          }
        }
        RebuildLocked();
        Logger("playback")->info("edge {} removed", name);
      } else {
        auto res = Error(405, v, "PUT (register) or DELETE (remove)");
        res.set(http::field::allow, "PUT, DELETE");
        co_return co_await Send(stream, std::move(res));
      }
      co_return co_await Send(stream, Json(200, v, EdgesJson() + "\n"));
    }
    co_return co_await Send(stream, Error(404, v, "no such admin path"));
  }

  std::string LeversJson() {
    std::lock_guard<std::mutex> lock(fleet_mu);
    return LeversToJson(levers);
  }

  // The fleet as the service sees it: each edge, its last status and whether it takes viewers.
  std::string EdgesJson() {
    auto view = CurrentView();
    const auto now = steady_clock::now();
    const auto ranked = RankEdges(view->edges, view->health, "", now, AllOf(cfg.rank));
    nlohmann::json out = nlohmann::json::array();
    for (size_t k = 0; k < view->edges.size(); ++k) {
      const EdgeEntry& e = view->edges[k];
      const EdgeHealth& h = view->health[k];
      const bool eligible = std::any_of(ranked.begin(), ranked.end(),
                                        [&](const EdgeEntry* r) { return r->name == e.name; });
      out.push_back({{"name", e.name},
                     {"base_url", e.base_url},
                     {"region", e.region},
                     {"max_egress_bps", e.max_egress_bps},
                     {"max_connections", e.max_connections},
                     {"reachable", h.reachable},
                     {"state", h.reachable ? h.state : "unreachable"},
                     {"connections", h.connections},
                     {"egress_bps", h.egress_bps},
                     {"eligible", eligible}});
    }
    return out.dump();
  }
};

PlaybackService::PlaybackService(PlaybackConfig config, Clock* clock)
    : config_(std::move(config)), clock_(clock) {}

PlaybackService::~PlaybackService() { Stop(); }

Status PlaybackService::Start() {
  for (const EdgeEntry& e : config_.edges) {
    if (!net::ParseUrl(e.base_url).ok()) return InvalidArgument("not an edge URL: " + e.base_url);
  }
  impl_ = std::make_unique<Impl>(config_, clock_, metrics_);
  ONAIR_RETURN_IF_ERROR(impl_->catalog.Start());
  config_.server.name = "playback";
  server_ = std::make_unique<net::HttpServer>(
      config_.server,
      [impl = impl_.get()](beast::tcp_stream s) { return impl->Session(std::move(s)); });
  ONAIR_RETURN_IF_ERROR(server_->Start());
  impl_->server = server_.get();
  impl_->public_url = config_.public_url;
  if (impl_->public_url.empty()) {
    const std::string host = config_.server.host == "0.0.0.0" ? "127.0.0.1" : config_.server.host;
    impl_->public_url = "http://" + host + ":" + std::to_string(server_->port());
  }
  while (!impl_->public_url.empty() && impl_->public_url.back() == '/') {
    impl_->public_url.pop_back();
  }
  impl_->poller = std::thread([impl = impl_.get()] { impl->PollLoop(); });
  return Status::Ok();
}

void PlaybackService::Stop() {
  if (server_) server_->Stop();
  server_.reset();
  if (impl_) {
    {
      std::lock_guard<std::mutex> lock(impl_->poll_mu);
      impl_->stopping = true;
    }
    impl_->poll_cv.notify_all();
    if (impl_->poller.joinable()) impl_->poller.join();
    impl_->catalog.Stop();
  }
}

int PlaybackService::port() const { return server_ ? server_->port() : 0; }

}  // namespace onair::playback
