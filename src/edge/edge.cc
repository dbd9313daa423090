#include "edge/edge.h"

#include <strings.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/bearer.h"
#include "core/event_config.h"
#include "core/live_path.h"
#include "core/log.h"
#include "edge/access_log.h"
#include "edge/timing.h"
#include "net/http_answers.h"
#include "net/http_client.h"
#include "net/url.h"
#include "net/waiter.h"

namespace onair::edge {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// The upstream headers a viewer gets as they came (hop-by-hop and framing ones are the
// edge's own business).
bool Forwarded(std::string_view name) {
  static const char* kNames[] = {"content-type",       "etag",
                                 "last-modified",      "cache-control",
                                 "retry-after",        "x-onair-pipeline",
                                 "x-onair-defects",    "x-onair-version",
                                 "x-onair-max-age-ms", "x-onair-event"};
  for (const char* n : kNames) {
    if (name.size() == std::strlen(n) && strncasecmp(name.data(), n, name.size()) == 0) {
      return true;
    }
  }
  return false;
}

// How long an answer may serve new requests, from the upstream's headers: the origin's
// millisecond lifetime of a "not yet" 404 first, then Cache-Control; errors are never kept.
void SetFreshness(EdgeObject::Answer* a) {
  a->fresh_until = a->fetched;
  if (a->status >= 500 || a->status == 304) return;
  const std::string ms = net::HeaderValue(a->headers, "X-Onair-Max-Age-Ms");
  if (!ms.empty()) {
    a->negative_ms = a->status == 404;
    a->fresh_until = a->fetched + milliseconds(std::max<int64_t>(0, std::atoll(ms.c_str())));
    return;
  }
  const std::string cc = net::HeaderValue(a->headers, "Cache-Control");
  if (cc.find("no-store") != std::string::npos || cc.find("no-cache") != std::string::npos ||
      cc.find("private") != std::string::npos) {
    return;
  }
  const size_t at = cc.find("max-age=");
  if (at != std::string::npos) {
    a->fresh_until = a->fetched + std::chrono::seconds(std::atoll(cc.c_str() + at + 8));
  }
}

// The cache key and upstream target of a request: its path, and of its query only the
// origin's version (`v=`), so that made-up queries cannot multiply fills.
std::string CacheKey(std::string_view target) {
  const size_t q = target.find('?');
  std::string key(target.substr(0, q));
  if (q == std::string_view::npos) return key;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (param.substr(0, 2) == "v=" && param.size() <= 20 &&
        param.find_first_not_of("0123456789", 2) == std::string_view::npos) {
      return key + "?" + std::string(param);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return key;
}

struct Upstream {
  explicit Upstream(net::Url u) : url(std::move(u)) {}
  net::Url url;
  std::atomic<bool> healthy{true};
};

}  // namespace

struct Edge::Impl {
  Impl(const EdgeConfig& c, Clock* cl, EdgeCache& ca, MetricsRegistry& mr)
      : cfg(c),
        clock(cl),
        cache(ca),
        m(mr),
        timings({.skew_us =
                     std::chrono::duration_cast<std::chrono::microseconds>(c.clock_skew).count()}) {
    for (const std::string& u : c.upstreams) {
      upstreams.push_back(std::make_unique<Upstream>(*net::ParseUrl(u)));
    }
  }
  const EdgeConfig& cfg;
  Clock* clock;
  EdgeCache& cache;
  MetricsRegistry& m;
  EventTimings timings;
  std::vector<std::unique_ptr<Upstream>> upstreams;
  net::HttpServer* server = nullptr;
  net::HttpServer* tls_server = nullptr;
  std::unique_ptr<AccessLog> access_log;
  std::shared_ptr<asio::ssl::context> tls_context;
  std::atomic<bool> draining{false};
  std::atomic<int64_t> fills_in_flight{0};
  std::atomic<bool> ticker_started{false};

  Counter& hits = m.counter("onair_edge_requests_total", "Object requests by cache outcome.",
                            {{"cache", "hit"}});
  Counter& misses = m.counter("onair_edge_requests_total", "Object requests by cache outcome.",
                              {{"cache", "miss"}});
  Counter& collapsed = m.counter("onair_edge_requests_total", "Object requests by cache outcome.",
                                 {{"cache", "collapsed"}});
  Counter& egress = m.counter("onair_edge_egress_bytes_total", "Body bytes sent to viewers.");
  Counter& fills_ok =
      m.counter("onair_edge_fills_total", "Upstream fills by result.", {{"result", "ok"}});
  Counter& fills_failed =
      m.counter("onair_edge_fills_total", "Upstream fills by result.", {{"result", "failed"}});
  Counter& fills_none =
      m.counter("onair_edge_fills_total", "Upstream fills by result.", {{"result", "no-upstream"}});
  Counter& upstream_errors =
      m.counter("onair_edge_upstream_errors_total", "Upstream connections that failed.");
  Counter& retries = m.counter("onair_edge_retries_total",
                               "Requests re-filled after a fill failed before any byte.");
  Counter& stale_served = m.counter("onair_edge_stale_served_total",
                                    "Init segments served stale because a refill failed.");
  Counter& cut = m.counter("onair_edge_cut_total",
                           "Responses cut because their fill failed after bytes went out.");
  Counter& Refused(const char* reason) {
    return m.counter("onair_edge_refused_total", "Reads the edge answered itself, by reason.",
                     {{"reason", reason}});
  }
  Counter& refused_not_yet = Refused("not-yet");
  Counter& refused_no_event = Refused("no-event");
  Counter& refused_no_rendition = Refused("no-rendition");
  Counter& prefetches = m.counter("onair_edge_prefetches_total",
                                  "Fills of a next segment started before any viewer asked.");
  Counter& timing_fetches = m.counter("onair_edge_timing_fetches_total",
                                      "Reads of an event's timing (event.json) from upstream.");
  Histogram& first_byte = m.histogram("onair_edge_first_byte_seconds",
                                      "From a request to its first body byte on the wire.");
  Gauge& fills_gauge = m.gauge("onair_edge_fills_in_flight", "Upstream fills in progress.");
  Gauge& cache_bytes = m.gauge("onair_edge_cache_bytes", "Bytes of complete cached objects.");
  Gauge& cache_objects = m.gauge("onair_edge_cache_objects", "Objects in the cache.");
  Gauge& evictions = m.gauge("onair_edge_evictions", "Objects evicted to stay in budget, so far.");
  Gauge& healthy_upstreams = m.gauge("onair_edge_upstreams_healthy", "Upstreams passing checks.");
  Gauge& draining_gauge = m.gauge("onair_edge_draining", "1 while the edge is draining.");

  // Load over the last second, for steering (updated by Ticker()).
  std::atomic<int64_t> egress_bps{0};
  std::atomic<double> hit_ratio{0};

  std::mutex live_mu;
  std::map<std::string, int64_t> highest;     // per event/rendition: the newest segment asked
  std::map<std::string, int64_t> prefetched;  // per event/rendition: the newest prefetched

  // Live-edge objects are kept over catch-up ones when the cache is full: init segments,
  // manifests, and segments at most 3 behind the live edge; by the event's timeline once
  // known, until then by the newest segment asked for the rendition.
  bool IsLive(const LivePath& p, std::optional<bool> known) {
    if (known) return *known;
    if (p.kind != LivePath::kSegment) return true;
    std::lock_guard<std::mutex> lock(live_mu);
    if (highest.size() > 100'000) highest.clear();  // made-up names must not grow it forever
    int64_t& h = highest[p.event + "/" + p.rendition];
    h = std::max(h, p.n);
    return p.n >= h - 3;
  }

  // ----- plain answers -----
  // Every answer may be read by a web player on another origin (segments are public).
  static http::response<http::string_body> Text(int status, unsigned version, std::string body,
                                                const std::string& cache = "no-store") {
    auto res = net::TextAnswer(status, version, std::move(body), "onair-edge", cache);
    res.set(http::field::access_control_allow_origin, "*");
    return res;
  }

  template <class Stream>
  asio::awaitable<bool> Send(Stream& stream, http::response<http::string_body> res,
                             bool head = false) {
    return net::SendAnswer(stream, std::move(res), cfg.send_timeout, head);
  }

  // ----- the connection -----
  asio::awaitable<void> Session(beast::tcp_stream stream) { co_await Serve(stream); }

  // HTTPS: the handshake within the header deadline, then the same as plain HTTP.
  asio::awaitable<void> TlsSession(beast::tcp_stream stream) {
    beast::ssl_stream<beast::tcp_stream> tls(std::move(stream), *tls_context);
    beast::get_lowest_layer(tls).expires_after(cfg.header_timeout);
    auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) co_return;
    co_await Serve(tls);
  }

  template <class Stream>
  asio::awaitable<void> Serve(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      if (!co_await net::AwaitRequest(stream, buffer, cfg.idle_timeout)) co_return;
      http::request_parser<http::empty_body> parser;
      parser.header_limit(cfg.header_limit);
      parser.body_limit(0);
      beast::get_lowest_layer(stream).expires_after(cfg.header_timeout);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
      if (ec) {
        if (auto answer = net::HeaderReadError(ec, "onair-edge")) {
          co_await Send(stream, std::move(*answer));
        }
        co_return;
      }
      const bool keep = co_await Handle(stream, parser.get());
      if (!keep || !parser.get().keep_alive()) co_return;
    }
  }

  template <class Stream>
  asio::awaitable<bool> Handle(Stream& stream, const http::request<http::empty_body>& req) {
    const unsigned v = req.version();
    const std::string_view target = req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == "/v1/edge/drain") co_return co_await DrainLever(stream, req);
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      co_return co_await Send(stream, Text(405, v, "GET or HEAD"));
    }
    const bool head = req.method() == http::verb::head;
    if (path == "/healthz") co_return co_await Send(stream, Text(200, v, "ok"), head);
    if (path == "/readyz") {
      if (draining) co_return co_await Send(stream, Text(503, v, "draining"), head);
      co_return co_await Send(stream, Text(200, v, "ready"), head);
    }
    if (path == "/metrics") {
      cache_bytes.Set(cache.bytes());
      cache_objects.Set(static_cast<int64_t>(cache.objects()));
      evictions.Set(cache.evictions());
      auto res = Text(200, v, m.Text());
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      co_return co_await Send(stream, std::move(res), head);
    }
    if (path == "/v1/edge/status") {
      auto res = Text(200, v, StatusJson());
      res.set(http::field::content_type, "application/json");
      co_return co_await Send(stream, std::move(res), head);
    }
    co_return co_await Object(stream, req, head);
  }

  // The operator's lever (docs/edge.md, "Draining"): POST drains, DELETE ends it; both answer
  // the status. A wrong or missing token closes the connection, as at the origin.
  template <class Stream>
  asio::awaitable<bool> DrainLever(Stream& stream, const http::request<http::empty_body>& req) {
    const unsigned v = req.version();
    if (cfg.admin_token.empty()) {
      co_return co_await Send(stream, Text(403, v, "the admin API is off (no --admin-token)"));
    }
    if (!TokenMatches(req[http::field::authorization], cfg.admin_token)) {
      auto res = Text(401, v, "an admin token is required");
      res.set(http::field::www_authenticate, "Bearer");
      co_await Send(stream, std::move(res));
      co_return false;
    }
    if (req.method() == http::verb::post) {
      SetDraining(true);
    } else if (req.method() == http::verb::delete_) {
      SetDraining(false);
    } else {
      auto res = Text(405, v, "POST (drain) or DELETE (serve again)");
      res.set(http::field::allow, "POST, DELETE");
      co_return co_await Send(stream, std::move(res));
    }
    auto res = Text(200, v, StatusJson());
    res.set(http::field::content_type, "application/json");
    co_return co_await Send(stream, std::move(res));
  }

  void SetDraining(bool on) {
    if (draining.exchange(on) != on) {
      Logger("edge")->warn("{}", on ? "draining: steering and /readyz send new viewers elsewhere"
                                    : "serving again: no longer draining");
    }
    draining_gauge.Set(on ? 1 : 0);
  }

  std::string StatusJson() {
    int64_t healthy = 0;
    for (const auto& u : upstreams) healthy += u->healthy ? 1 : 0;
    const char* state = draining ? "draining" : healthy == 0 ? "no-upstream" : "healthy";
    nlohmann::json j = {{"state", state},
                        {"connections", (server ? server->open_connections() : 0) +
                                            (tls_server ? tls_server->open_connections() : 0)},
                        {"egress_bps", egress_bps.load()},
                        {"cache_hit_ratio", hit_ratio.load()},
                        {"fills_in_flight", fills_in_flight.load()},
                        {"cache_bytes", cache.bytes()},
                        {"upstreams_healthy", healthy}};
    return j.dump();
  }

  // ----- objects -----
  enum class Outcome { kDone, kClosed, kRetry };
  struct Served {  // what one viewer got, for the access log
    int status = 0;
    uint64_t bytes = 0;
    steady_clock::time_point first_byte{};
    EdgeCache::Kind kind = EdgeCache::Kind::kMiss;
    bool own = false;  // answered by the edge itself
  };

  template <class Stream>
  void LogAccess(Stream& stream, const http::request<http::empty_body>& req, UtcMicros at,
                 steady_clock::time_point start, const Served& served) {
    if (!access_log) return;
    AccessRecord r;
    r.at = at;
    beast::error_code ec;
    const auto peer = beast::get_lowest_layer(stream).socket().remote_endpoint(ec);
    r.client = ec ? "-" : peer.address().to_string();
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.status = served.status;
    r.bytes = served.bytes;
    r.cache = served.own ? "edge" : CacheName(served.kind);
    const auto us = [&](steady_clock::time_point t) {
      return std::chrono::duration_cast<std::chrono::microseconds>(t - start).count();
    };
    r.first_byte_us = served.first_byte == steady_clock::time_point{} ? -1 : us(served.first_byte);
    r.total_us = us(steady_clock::now());
    access_log->Write(r);
  }

  static std::string CacheName(EdgeCache::Kind kind) {
    switch (kind) {
      case EdgeCache::Kind::kHit:
        return "hit";
      case EdgeCache::Kind::kCollapsed:
        return "collapsed";
      default:
        return "miss";
    }
  }

  template <class Stream>
  asio::awaitable<bool> Object(Stream& stream, const http::request<http::empty_body>& req,
                               bool head) {
    const auto start = steady_clock::now();
    const UtcMicros arrived = clock->Now();
    const std::string key = CacheKey(req.target());
    const LivePath path = ParseLivePath(key);
    const EventTimings::Check check = timings.Look(path, arrived, start);
    if (check.fetch) asio::co_spawn(stream.get_executor(), LearnTiming(path.event), asio::detached);
    if (path.kind == LivePath::kNone || check.verdict != EventTimings::Verdict::kForward) {
      Served served;
      served.own = true;
      auto res = Refusal(path, check, req.version());
      served.status = res.result_int();
      const bool sent = co_await Send(stream, std::move(res), head);
      LogAccess(stream, req, arrived, start, served);
      co_return sent;
    }
    const bool live = IsLive(path, check.live);
    if (live && check.timeline) Prefetch(path, *check.timeline, arrived, stream.get_executor());
    for (int attempt = 0; attempt < 1 + static_cast<int>(upstreams.size()); ++attempt) {
      EdgeCache::Lookup found = Acquire(key, live, stream.get_executor());
      (found.kind == EdgeCache::Kind::kHit    ? hits
       : found.kind == EdgeCache::Kind::kMiss ? misses
                                              : collapsed)
          .Inc();
      Served served;
      served.kind = found.kind;
      const Outcome out = co_await Deliver(stream, req, found, head, start, served);
      if (out != Outcome::kRetry) LogAccess(stream, req, arrived, start, served);
      if (out == Outcome::kDone) co_return true;
      if (out == Outcome::kClosed) co_return false;
      retries.Inc();  // the fill failed before this viewer got a byte: fill again
    }
    if (auto good = cache.LastGoodInit(key)) {  // stale-if-error, as in Deliver
      stale_served.Inc();
      Served served;
      co_return co_await Deliver(stream, req, EdgeCache::Lookup{good, EdgeCache::Kind::kHit}, head,
                                 start, served) == Outcome::kDone;
    }
    co_return co_await Send(stream, Text(502, req.version(), "upstream fills keep failing"), head);
  }

  // What the edge answers by itself (docs/edge.md): a path outside the public URL space, and
  // what its upstream would refuse anyway by the event's timeline.
  http::response<http::string_body> Refusal(const LivePath& path, const EventTimings::Check& check,
                                            unsigned v) {
    using Verdict = EventTimings::Verdict;
    http::response<http::string_body> res;
    if (path.kind == LivePath::kNone) {
      res = Text(404, v, "no such path", "max-age=60");
    } else if (check.verdict == Verdict::kNotYet) {
      refused_not_yet.Inc();
      res = Text(404, v, "segment " + std::to_string(path.n) + " is not published yet",
                 "public, max-age=" + std::to_string(check.ms / 1000));
      res.set("X-Onair-Max-Age-Ms", std::to_string(check.ms));
    } else if (check.verdict == Verdict::kNoEvent) {
      refused_no_event.Inc();
      res = Text(404, v, "no event '" + path.event + "'", "max-age=2");
      res.set("X-Onair-Event", "none");
    } else {
      refused_no_rendition.Inc();
      res = Text(404, v, "no rendition '" + path.rendition + "'", "max-age=2");
    }
    res.set("X-Onair-Cache", "edge");
    return res;
  }

  // The cached object for `key`, with a fill started upstream if it missed.
  EdgeCache::Lookup Acquire(const std::string& key, bool live, const asio::any_io_executor& ex) {
    EdgeCache::Lookup found = cache.Get(key, live, steady_clock::now());
    if (found.kind == EdgeCache::Kind::kMiss) {
      fills_in_flight++;
      fills_gauge.Set(fills_in_flight.load());
      asio::co_spawn(ex, Fill(found.object, key), asio::detached);
    }
    return found;
  }

  static constexpr size_t kMaxEventJson = 1 << 20;

  // A rendition watched at the live edge: the fill of the segment that starts next begins a
  // quarter segment before its start (the origin holds it until its first chunk), once per
  // segment, so that the stampede at its start is served from memory (docs/edge.md).
  void Prefetch(const LivePath& p, const EpochTimeline& timeline, UtcMicros now,
                const asio::any_io_executor& ex) {
    if (!cfg.prefetch) return;
    const int64_t next = timeline.SegmentNumberAt(now) + 1;
    {
      std::lock_guard<std::mutex> lock(live_mu);
      if (prefetched.size() > 100'000) prefetched.clear();  // made-up names, as in IsLive
      int64_t& last = prefetched[p.event + "/" + p.rendition];
      if (last >= next) return;
      last = next;
    }
    const UtcMicros at = timeline.SegmentStartUtc(next) - timeline.segment_us() / 4;
    asio::co_spawn(
        ex,
        PrefetchAt("/live/" + p.event + "/" + p.rendition + "/" + std::to_string(next) + ".m4s",
                   std::max<int64_t>(0, at - now)),
        asio::detached);
  }

  asio::awaitable<void> PrefetchAt(std::string key, int64_t delay_us) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    timer.expires_after(std::chrono::microseconds(delay_us));
    auto [ec] = co_await timer.async_wait(kTuple);
    if (ec) co_return;
    if (Acquire(key, true, ex).kind == EdgeCache::Kind::kMiss) prefetches.Inc();
  }

  // Fetches an event's timing (through the cache, so tiers and collapsing apply) for
  // EventTimings; a failure is retried on a later read, at most once a second.
  asio::awaitable<void> LearnTiming(std::string event) {
    timing_fetches.Inc();
    auto ex = co_await asio::this_coro::executor;
    const auto object = Acquire("/live/" + event + "/event.json", true, ex).object;
    auto waiter = std::make_shared<net::Waiter>(ex);
    const auto wait_limit = cfg.upstream_header_timeout + cfg.upstream_idle_timeout;
    std::string body;
    bool whole = false;
    for (size_t next = 0; body.size() <= kMaxEventJson;) {
      auto view = object->body.Read(next, waiter);
      for (const auto& p : view.pieces) body += *p;
      next += view.pieces.size();
      whole = view.state == net::StreamedBody::State::kComplete;
      if (view.state != net::StreamedBody::State::kGrowing) break;
      if (view.pieces.empty() && !co_await waiter->Wait(steady_clock::now() + wait_limit)) break;
    }
    whole = whole && body.size() <= kMaxEventJson;
    const auto now = steady_clock::now();
    const auto answer = object->answer();
    if (whole && answer && answer->status == 200) {
      auto config = ParseEventConfig(body);
      if (config.ok() && config->event == event) {
        timings.Learned(event, *config,
                        std::max(answer->fresh_until, now + std::chrono::seconds(1)));
        co_return;
      }
      Logger("edge")->warn("upstream's event.json for '{}' unusable: {}", event,
                           config.ok() ? "another event's" : config.status().message());
    } else if (whole && answer && answer->status == 404 &&
               net::HeaderValue(answer->headers, "X-Onair-Event") == "none") {
      timings.NoSuchEvent(event, answer->fresh_until);
      co_return;
    }
    timings.FetchFailed(event, now + std::chrono::seconds(1));
  }

  // The answer's header for a viewer: the upstream's own, with the lifetime left.
  http::response<http::empty_body> HeaderFor(const EdgeObject::Answer& a, unsigned version,
                                             EdgeCache::Kind kind) {
    http::response<http::empty_body> res(static_cast<http::status>(a.status), version);
    res.set(http::field::server, "onair-edge");
    const auto now = steady_clock::now();
    for (const auto& [k, v] : a.headers) {
      if (a.negative_ms && (strcasecmp(k.c_str(), "Cache-Control") == 0 ||
                            strcasecmp(k.c_str(), "X-Onair-Max-Age-Ms") == 0)) {
        continue;
      }
      res.set(k, v);
    }
    if (a.negative_ms) {
      const int64_t left = std::max<int64_t>(
          0, std::chrono::duration_cast<milliseconds>(a.fresh_until - now).count());
      res.set(http::field::cache_control, "public, max-age=" + std::to_string(left / 1000));
      res.set("X-Onair-Max-Age-Ms", std::to_string(left));
    }
    const int64_t age = std::chrono::duration_cast<std::chrono::seconds>(now - a.fetched).count();
    if (age > 0) res.set(http::field::age, std::to_string(age));
    res.set("X-Onair-Cache", CacheName(kind));
    res.set(http::field::access_control_allow_origin, "*");
    return res;
  }

  // Pieces as one buffer sequence, and their bytes.
  static std::pair<std::vector<asio::const_buffer>, uint64_t> Gather(
      const std::vector<net::StreamedBody::Piece>& pieces) {
    std::pair<std::vector<asio::const_buffer>, uint64_t> out;
    out.first.reserve(pieces.size());
    for (const auto& p : pieces) {
      out.first.push_back(asio::buffer(*p));
      out.second += p->size();
    }
    return out;
  }

  // One viewer's response from a cached or filling object: nothing until the first body byte
  // (or the end) is there, so that a fill failing before it can still be retried; then the
  // whole object with its length, or chunk after chunk as they arrive.
  template <class Stream>
  asio::awaitable<Outcome> Deliver(Stream& stream, const http::request<http::empty_body>& req,
                                   const EdgeCache::Lookup& found, bool head,
                                   steady_clock::time_point start, Served& served) {
    const auto& object = found.object;
    auto waiter = std::make_shared<net::Waiter>(stream.get_executor());
    const auto wait_limit = cfg.upstream_header_timeout + cfg.upstream_idle_timeout;
    size_t next = 0;
    bool header_sent = false;
    for (;;) {
      net::StreamedBody::View view = object->body.Read(next, waiter);
      if (view.state == net::StreamedBody::State::kFailed) {
        if (!header_sent) co_return Outcome::kRetry;
        cut.Inc();
        co_return Outcome::kClosed;  // no final chunk: no cache downstream keeps it
      }
      const bool complete = view.state == net::StreamedBody::State::kComplete;
      if (!header_sent && (complete || !view.pieces.empty())) {
        const auto answer = object->answer();
        if (!answer) co_return Outcome::kClosed;  // cannot happen: set before any piece
        if (answer->status >= 500) {
          // stale-if-error for init segments: a player cannot start without one.
          if (auto good = cache.LastGoodInit(object->key); good && good != object) {
            stale_served.Inc();
            co_return co_await Deliver(stream, req, EdgeCache::Lookup{good, EdgeCache::Kind::kHit},
                                       head, start, served);
          }
        }
        auto res = HeaderFor(*answer, req.version(), found.kind);
        const std::string etag = net::HeaderValue(answer->headers, "ETag");
        if (complete && answer->status == 200 && !etag.empty() &&
            req[http::field::if_none_match] == etag) {
          http::response<http::empty_body> nm(http::status::not_modified, req.version());
          for (const auto& f : res) nm.set(f.name_string(), f.value());
          beast::get_lowest_layer(stream).expires_after(cfg.send_timeout);
          auto [ec, n] = co_await http::async_write(stream, nm, kTuple);
          served.status = 304;
          co_return ec ? Outcome::kClosed : Outcome::kDone;
        }
        if (complete) {
          res.content_length(static_cast<uint64_t>(object->body.size()));
        } else {
          res.chunked(true);
        }
        // The header goes out in one write with the first body bytes: in a stampede every
        // viewer costs one system call, not one per piece.
        std::ostringstream header_text;
        header_text << res.base();
        const std::string header_bytes = header_text.str();
        header_sent = true;
        served.status = answer->status;
        beast::get_lowest_layer(stream).expires_after(cfg.send_timeout);
        if (head) {
          auto [ec, n] = co_await asio::async_write(stream, asio::buffer(header_bytes), kTuple);
          co_return ec || !complete ? Outcome::kClosed : Outcome::kDone;
        }
        if (!view.pieces.empty()) {
          served.first_byte = steady_clock::now();
          first_byte.Observe(std::chrono::duration<double>(served.first_byte - start).count());
        }
        const auto [bufs, bytes] = Gather(view.pieces);
        beast::error_code wec;
        size_t wn = 0;
        if (complete) {
          std::tie(wec, wn) = co_await asio::async_write(
              stream, beast::buffers_cat(asio::buffer(header_bytes), bufs), kTuple);
        } else {
          std::tie(wec, wn) = co_await asio::async_write(
              stream, beast::buffers_cat(asio::buffer(header_bytes), http::make_chunk(bufs)),
              kTuple);
        }
        if (wec) co_return Outcome::kClosed;
        egress.Inc(bytes);
        served.bytes += bytes;
        if (complete) co_return Outcome::kDone;
      } else if (!view.pieces.empty()) {
        // Everything that arrived since the last write, as one chunk.
        const auto [bufs, bytes] = Gather(view.pieces);
        beast::get_lowest_layer(stream).expires_after(cfg.send_timeout);
        auto [wec, wn] = co_await asio::async_write(stream, http::make_chunk(bufs), kTuple);
        if (wec) co_return Outcome::kClosed;
        egress.Inc(bytes);
        served.bytes += bytes;
      }
      next += view.pieces.size();
      if (view.pieces.empty()) {
        if (complete) break;
        if (!co_await waiter->Wait(steady_clock::now() + wait_limit)) {
          co_return Outcome::kClosed;  // the fill stalled beyond its own deadlines
        }
      }
    }
    beast::get_lowest_layer(stream).expires_after(cfg.send_timeout);
    auto [lec, ln] = co_await asio::async_write(stream, http::make_chunk_last(), kTuple);
    co_return lec ? Outcome::kClosed : Outcome::kDone;
  }

  // ----- fills -----
  // Upstreams to try, healthy ones first, each group in the configured order.
  std::vector<Upstream*> FillOrder() {
    std::vector<Upstream*> order;
    for (const auto& u : upstreams) {
      if (u->healthy) order.push_back(u.get());
    }
    for (const auto& u : upstreams) {
      if (!u->healthy) order.push_back(u.get());
    }
    return order;
  }

  void MarkDown(Upstream* u, const std::string& why) {
    upstream_errors.Inc();
    if (u->healthy.exchange(false)) {
      Logger("edge")->warn("upstream {}:{} marked down: {}", u->url.host, u->url.port, why);
    }
  }

  // One upstream GET for `target`, its body streamed into the object. Failover to the next
  // upstream while nothing of the answer is known; a failure after that fails the object
  // (never cached; viewers that got nothing yet fill again).
  asio::awaitable<void> Fill(std::shared_ptr<EdgeObject> object, std::string target) {
    struct Done {
      Impl* impl;
      ~Done() {
        impl->fills_in_flight--;
        impl->fills_gauge.Set(impl->fills_in_flight.load());
      }
    } done{this};
    auto ex = co_await asio::this_coro::executor;
    for (Upstream* u : FillOrder()) {
      beast::tcp_stream up(ex);
      tcp::resolver resolver(ex);
      auto [rec, endpoints] = co_await resolver.async_resolve(u->url.host, u->url.port, kTuple);
      if (rec) {
        MarkDown(u, rec.message());
        continue;
      }
      up.expires_after(cfg.connect_timeout);
      auto [cec, ep] = co_await up.async_connect(endpoints, kTuple);
      if (cec) {
        MarkDown(u, cec.message());
        continue;
      }
      up.socket().set_option(tcp::no_delay(true));
      http::request<http::empty_body> req(http::verb::get, target, 11);
      req.set(http::field::host, u->url.host + ":" + u->url.port);
      req.set(http::field::user_agent, "onair-edge");
      up.expires_after(cfg.connect_timeout);
      auto [wec, wn] = co_await http::async_write(up, req, kTuple);
      if (wec) {
        MarkDown(u, wec.message());
        continue;
      }
      beast::flat_buffer buffer;
      buffer.reserve(64 * 1024);  // Beast reads no more than the free capacity
      http::response_parser<http::buffer_body> parser;
      parser.body_limit(uint64_t{1} << 30);
      up.expires_after(cfg.upstream_header_timeout);
      auto [hec, hn] = co_await http::async_read_header(up, buffer, parser, kTuple);
      if (hec) {
        MarkDown(u, hec.message());
        continue;
      }
      EdgeObject::Answer answer;
      answer.status = static_cast<int>(parser.get().result_int());
      for (const auto& f : parser.get()) {
        if (Forwarded(f.name_string())) {
          answer.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        }
      }
      answer.fetched = steady_clock::now();
      SetFreshness(&answer);
      object->SetAnswer(std::move(answer));
      std::vector<char> chunk(64 * 1024);
      while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        up.expires_after(cfg.upstream_idle_timeout);
        auto [bec, bn] = co_await http::async_read_some(up, buffer, parser, kTuple);
        if (bec == http::error::need_buffer) bec = {};
        const size_t got = chunk.size() - parser.get().body().size;
        if (got > 0) object->body.Append(std::string(chunk.data(), got));
        if (bec) {
          MarkDown(u, "mid-body: " + bec.message());
          object->body.Fail();
          cache.Remove(object);
          fills_failed.Inc();
          co_return;
        }
      }
      object->body.Finish();
      cache.Completed(object, steady_clock::now());
      fills_ok.Inc();
      co_return;
    }
    // Nobody answered: a 502 for the requests collapsed onto this fill, not kept.
    EdgeObject::Answer none;
    none.status = 502;
    none.headers = {{"Content-Type", "text/plain; charset=utf-8"}, {"Cache-Control", "no-store"}};
    none.fetched = none.fresh_until = steady_clock::now();
    object->SetAnswer(std::move(none));
    object->body.Append("no upstream answered\n");
    object->body.Finish();
    cache.Completed(object, steady_clock::now());
    fills_none.Inc();
  }

  // ----- upstream health and load figures, once per interval -----
  asio::awaitable<void> Ticker() {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    uint64_t last_egress = egress.value();
    uint64_t last_hits = hits.value(), last_all = 0;
    for (;;) {
      timer.expires_after(cfg.health_interval);
      auto [ec] = co_await timer.async_wait(kTuple);
      if (ec) co_return;
      int64_t healthy = 0;
      for (const auto& u : upstreams) {
        u->healthy = co_await Probe(*u);
        healthy += u->healthy ? 1 : 0;
      }
      healthy_upstreams.Set(healthy);
      const double secs = std::chrono::duration<double>(cfg.health_interval).count();
      const uint64_t e = egress.value();
      egress_bps = static_cast<int64_t>(static_cast<double>(e - last_egress) * 8 / secs);
      last_egress = e;
      const uint64_t h = hits.value();
      const uint64_t all = h + misses.value() + collapsed.value();
      if (all > last_all) {
        hit_ratio = static_cast<double>(h - last_hits) / static_cast<double>(all - last_all);
      }
      last_hits = h;
      last_all = all;
    }
  }

  asio::awaitable<bool> Probe(const Upstream& u) {
    auto ex = co_await asio::this_coro::executor;
    beast::tcp_stream s(ex);
    tcp::resolver resolver(ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(u.url.host, u.url.port, kTuple);
    if (rec) co_return false;
    s.expires_after(cfg.connect_timeout);
    auto [cec, ep] = co_await s.async_connect(endpoints, kTuple);
    if (cec) co_return false;
    http::request<http::empty_body> req(http::verb::get, "/healthz", 11);
    req.set(http::field::host, u.url.host);
    auto [wec, wn] = co_await http::async_write(s, req, kTuple);
    if (wec) co_return false;
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    auto [hec, hn] = co_await http::async_read(s, buffer, res, kTuple);
    co_return !hec && res.result_int() == 200;
  }
};

Edge::Edge(EdgeConfig config, Clock* clock)
    : config_(std::move(config)), clock_(clock), cache_(config_.cache_bytes) {}

Edge::~Edge() { Stop(); }

Status Edge::Start() {
  if (config_.upstreams.empty()) {
    return InvalidArgument("the edge needs at least one upstream (--upstream URL)");
  }
  for (const std::string& u : config_.upstreams) {
    if (!net::ParseUrl(u).ok()) return InvalidArgument("not an upstream URL: " + u);
  }
  impl_ = std::make_unique<Impl>(config_, clock_, cache_, metrics_);
  if (!config_.access_log.empty()) {
    auto log = AccessLog::Open(config_.access_log);
    if (!log.ok()) return log.status();
    impl_->access_log = std::move(*log);
  }
  config_.server.name = "edge";
  server_ = std::make_unique<net::HttpServer>(
      config_.server,
      [impl = impl_.get()](beast::tcp_stream s) { return impl->Session(std::move(s)); });
  ONAIR_RETURN_IF_ERROR(server_->Start());
  impl_->server = server_.get();
  if (config_.tls_port >= 0) {
    auto ctx = net::ServerTlsContext(config_.tls);
    if (!ctx.ok()) return ctx.status();
    impl_->tls_context = *ctx;
    net::ServerOptions tls = config_.server;
    tls.port = config_.tls_port;
    tls.name = "edge-tls";
    tls_server_ = std::make_unique<net::HttpServer>(
        tls, [impl = impl_.get()](beast::tcp_stream s) { return impl->TlsSession(std::move(s)); });
    ONAIR_RETURN_IF_ERROR(tls_server_->Start());
    impl_->tls_server = tls_server_.get();
  }
  // Health checks and load figures on one loop.
  server_->ForEachLoop([impl = impl_.get()](asio::io_context& ctx) {
    if (!impl->ticker_started.exchange(true)) asio::co_spawn(ctx, impl->Ticker(), asio::detached);
  });
  return Status::Ok();
}

void Edge::Stop() {
  if (tls_server_) tls_server_->Stop();
  tls_server_.reset();
  if (server_) server_->Stop();
  server_.reset();
}

void Edge::Drain() {
  if (impl_) impl_->SetDraining(true);
}

int Edge::port() const { return server_ ? server_->port() : 0; }

int Edge::tls_port() const { return tls_server_ ? tls_server_->port() : 0; }

}  // namespace onair::edge
