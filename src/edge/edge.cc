#include "edge/edge.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "contract/edge_status.h"
#include "contract/headers.h"
#include "core/event_config.h"
#include "core/live_path.h"
#include "core/log.h"
#include "edge/deliver.h"
#include "edge/freshness.h"
#include "edge/live_edge.h"
#include "edge/timing.h"
#include "edge/upstreams.h"
#include "net/http_client.h"
#include "net/url.h"
#include "net/waiter.h"

namespace onair::edge {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using service::Error;
using service::Exchange;
using service::Priority;
using service::Reply;
using service::Response;

service::ServiceConfig EdgeConfig::Defaults() {
  service::ServiceConfig c;
  c.name = "edge";
  c.cors = true;  // segments are public: web players on any origin read them
  // When the loops lag, prefetch goes first, then catch-up reads, live reads last.
  c.admission.shed_lag_ms[static_cast<int>(Priority::kOther)] = 100;
  c.admission.shed_lag_ms[static_cast<int>(Priority::kCatchUp)] = 250;
  c.admission.shed_lag_ms[static_cast<int>(Priority::kLive)] = 1000;
  return c;
}

struct Edge::Impl {
  Impl(const EdgeConfig& c, Clock* cl, EdgeCache& ca)
      : cfg(c),
        clock(cl),
        cache(ca),
        service(c.service, cl),
        m(service.metrics()),
        timings({.skew_us =
                     std::chrono::duration_cast<std::chrono::microseconds>(c.clock_skew).count()}),
        upstreams(c.upstreams, m),
        fills(ca, upstreams, cl, m, c.fill),
        delivery(ca, cl, m, c.fill.header_timeout + c.fill.idle_timeout) {
    AddRoutes();
  }

  const EdgeConfig& cfg;
  Clock* clock;
  EdgeCache& cache;
  service::Service service;
  MetricsRegistry& m;
  EventTimings timings;
  Upstreams upstreams;
  Fills fills;
  Delivery delivery;
  LiveEdge live_edge;
  std::atomic<bool> draining{false};

  Counter& hits = m.counter("onair_edge_requests_total", "Object requests by cache outcome.",
                            {{"cache", "hit"}});
  Counter& misses = m.counter("onair_edge_requests_total", "Object requests by cache outcome.",
                              {{"cache", "miss"}});
  Counter& collapsed = m.counter("onair_edge_requests_total", "Object requests by cache outcome.",
                                 {{"cache", "collapsed"}});
  Counter& retries = m.counter("onair_edge_retries_total",
                               "Requests re-filled after a fill failed before any byte.");
  Counter& Refused(const char* reason) {
    return m.counter("onair_edge_refused_total", "Reads the edge answered itself, by reason.",
                     {{"reason", reason}});
  }
  Counter& refused_not_yet = Refused("not-yet");
  Counter& refused_no_event = Refused("no-event");
  Counter& refused_no_rendition = Refused("no-rendition");
  Counter& prefetches = m.counter("onair_edge_prefetches_total",
                                  "Fills of a next segment started before any viewer asked.");
  Counter& prefetches_shed = m.counter("onair_edge_prefetches_shed_total",
                                       "Prefetches skipped because the edge was overloaded.");
  Counter& timing_fetches = m.counter("onair_edge_timing_fetches_total",
                                      "Reads of an event's timing (event.json) from upstream.");
  Gauge& cache_bytes = m.gauge("onair_edge_cache_bytes", "Bytes of complete cached objects.");
  Gauge& cache_objects = m.gauge("onair_edge_cache_objects", "Objects in the cache.");
  Gauge& evictions = m.gauge("onair_edge_evictions", "Objects evicted to stay in budget, so far.");
  Gauge& draining_gauge = m.gauge("onair_edge_draining", "1 while the edge is draining.");

  // Load over the last interval, for steering (updated by the health task).
  std::atomic<int64_t> egress_bps{0};
  std::atomic<double> hit_ratio{0};
  uint64_t last_egress = 0, last_hits = 0, last_all = 0;

  void AddRoutes() {
    const http::verb kGet = http::verb::get;
    service.Add({.name = "status",
                 .methods = {kGet},
                 .pattern = "/v1/edge/status",
                 .help = "load and health, for steering (JSON)",
                 .priority = Priority::kCritical,
                 .logged = false,
                 .sync = [this](Exchange&) -> Reply { return service::Json(200, StatusJson()); }});
    service.AddAdmin({.name = "admin-drain",
                      .methods = {http::verb::post, http::verb::delete_},
                      .pattern = "/drain",
                      .help = "drain (POST: new viewers elsewhere) or serve again (DELETE)",
                      .mutates = true,
                      .sync = [this](Exchange& ex) -> Reply {
                        SetDraining(ex.method() == http::verb::post);
                        return service::Json(200, StatusJson());
                      }});
    service.Add({.name = "object",
                 .methods = {kGet},
                 .pattern = "/*",
                 .help = "an object under /live: a segment, init segment, manifest or playlist "
                         "(any other path: 404, in the request log too)",
                 .classify = [this](const Exchange& ex) { return Classify(ex); },
                 .stream = [this](Exchange& ex) { return Object(ex); }});
    service.SetReadiness([this]() -> std::optional<std::string> {
      if (draining) return "draining";
      if (upstreams.healthy() == 0) return "no upstream answers";
      return std::nullopt;
    });
    service.OnScrape([this] {
      cache_bytes.Set(cache.bytes());
      cache_objects.Set(static_cast<int64_t>(cache.objects()));
      evictions.Set(cache.evictions());
    });
    // Upstream health and the load figures, once per interval.
    service.Every("health", cfg.health_interval, [this]() -> asio::awaitable<void> {
      co_await upstreams.CheckAll(cfg.fill.connect_timeout);
      UpdateLoad();
    });
  }

  void SetDraining(bool on) {
    if (draining.exchange(on) != on) {
      Logger("edge")->warn("{}", on ? "draining: steering and /readyz send new viewers elsewhere"
                                    : "serving again: no longer draining");
    }
    draining_gauge.Set(on ? 1 : 0);
  }

  void UpdateLoad() {
    const double secs = std::chrono::duration<double>(cfg.health_interval).count();
    const uint64_t e = delivery.egress().value();
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

  std::string StatusJson() {
    const int64_t healthy = upstreams.healthy();
    const char* state = draining ? "draining" : healthy == 0 ? "no-upstream" : "healthy";
    return contract::WriteEdgeStatus({state, service.open_connections(), egress_bps.load(),
                                      hit_ratio.load(), fills.in_flight(), cache.bytes(), healthy});
  }

  // ----- objects -----
  Priority Classify(const Exchange& ex) {
    const LivePath path = ParseLivePath(CacheKey(ex.target()));
    std::optional<bool> known = timings.LiveAt(path, clock->Now());
    return live_edge.IsLive(path, known) ? Priority::kLive : Priority::kCatchUp;
  }

  // What the request log says of an answer (service/request_log.h).
  void Note(Exchange& ex, const Served& served) {
    const int64_t first_byte =
        served.first_byte == MonoTime{}
            ? -1
            : std::chrono::duration_cast<std::chrono::microseconds>(served.first_byte - ex.start())
                  .count();
    ex.Note(served.own ? "edge" : CacheName(served.kind), first_byte);
  }

  asio::awaitable<bool> Object(Exchange& ex) {
    const UtcMicros arrived = ex.arrived();
    const std::string key = CacheKey(ex.target());
    const LivePath path = ParseLivePath(key);
    const EventTimings::Check check = timings.Look(path, arrived, clock->Monotonic());
    auto ex_executor = ex.stream().get_executor();
    if (check.fetch) asio::co_spawn(ex_executor, LearnTiming(path.event), asio::detached);
    if (path.kind == LivePath::kNone || check.verdict != EventTimings::Verdict::kForward) {
      Served served;
      served.own = true;
      Response res = Refusal(path, check);
      served.status = res.result_int();
      Note(ex, served);
      co_return co_await ex.Send(std::move(res));
    }
    const bool live = ex.priority() == Priority::kLive;
    if (live && check.timeline) Prefetch(path, *check.timeline, arrived, ex_executor);
    for (size_t attempt = 0; attempt < 1 + upstreams.size(); ++attempt) {
      EdgeCache::Lookup found = fills.Acquire(key, live, ex_executor);
      (found.kind == EdgeCache::Kind::kHit    ? hits
       : found.kind == EdgeCache::Kind::kMiss ? misses
                                              : collapsed)
          .Inc();
      Served served;
      served.kind = found.kind;
      const Delivery::Outcome out = co_await delivery.Deliver(ex, found, served);
      ex.Answered(served.status);
      ex.Sent(served.bytes);
      Note(ex, served);
      if (out == Delivery::Outcome::kDone) co_return true;
      if (out == Delivery::Outcome::kClosed) co_return false;
      retries.Inc();  // the fill failed before this viewer got a byte: fill again
    }
    if (auto good = cache.LastGoodInit(key)) {  // stale-if-error, as in Deliver
      delivery.stale_served().Inc();
      Served served;
      const EdgeCache::Lookup stale{good, EdgeCache::Kind::kHit};
      const bool done = co_await delivery.Deliver(ex, stale, served) == Delivery::Outcome::kDone;
      ex.Answered(served.status);
      ex.Sent(served.bytes);
      Note(ex, served);
      co_return done;
    }
    co_return co_await ex.Send(Error(502, "upstream fills keep failing"));
  }

  // What the edge answers by itself (docs/edge.md): a path outside the public URL space, and
  // what its upstream would refuse anyway by the event's timeline.
  Response Refusal(const LivePath& path, const EventTimings::Check& check) {
    using Verdict = EventTimings::Verdict;
    Response res;
    if (path.kind == LivePath::kNone) {
      res = Error(404, "no such path", {}, "max-age=60");
    } else if (check.verdict == Verdict::kNotYet) {
      refused_not_yet.Inc();
      res = Error(404, "segment " + std::to_string(path.n) + " is not published yet", {},
                  "public, max-age=" + std::to_string(check.ms / 1000));
      res.set(contract::kMaxAgeMs, std::to_string(check.ms));
    } else if (check.verdict == Verdict::kNoEvent) {
      refused_no_event.Inc();
      res = Error(404, "no event '" + path.event + "'", {}, "max-age=2");
      res.set(contract::kEvent, "none");
    } else {
      refused_no_rendition.Inc();
      res = Error(404, "no rendition '" + path.rendition + "'", {}, "max-age=2");
    }
    res.set(contract::kCache, "edge");
    return res;
  }

  // A rendition watched at the live edge: the fill of the segment that starts next begins a
  // quarter segment before its start (the origin holds it until its first chunk), once per
  // segment, so that the stampede at its start is served from memory (docs/edge.md). The
  // first work to go when the edge is overloaded.
  void Prefetch(const LivePath& p, const EpochTimeline& timeline, UtcMicros now,
                const asio::any_io_executor& ex) {
    if (!cfg.prefetch) return;
    auto plan = live_edge.PlanPrefetch(p, timeline, now);
    if (!plan) return;
    asio::co_spawn(ex, PrefetchAt(plan->key, std::max<int64_t>(0, plan->at - now)), asio::detached);
  }

  asio::awaitable<void> PrefetchAt(std::string key, int64_t delay_us) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    timer.expires_after(std::chrono::microseconds(delay_us));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    if (!service.admission().WouldAdmit(Priority::kOther)) {
      prefetches_shed.Inc();
      co_return;
    }
    if (fills.Acquire(key, true, ex).kind == EdgeCache::Kind::kMiss) prefetches.Inc();
  }

  static constexpr size_t kMaxEventJson = 1 << 20;

  // Fetches an event's timing (through the cache, so tiers and collapsing apply) for
  // EventTimings; a failure is retried on a later read, at most once a second.
  asio::awaitable<void> LearnTiming(std::string event) {
    timing_fetches.Inc();
    auto ex = co_await asio::this_coro::executor;
    const auto object = fills.Acquire("/live/" + event + "/event.json", true, ex).object;
    auto waiter = std::make_shared<net::Waiter>(ex);
    const auto wait_limit = cfg.fill.header_timeout + cfg.fill.idle_timeout;
    std::string body;
    bool whole = false;
    for (size_t next = 0; body.size() <= kMaxEventJson;) {
      auto view = object->body.Read(next, waiter);
      for (const auto& p : view.pieces) body += *p;
      next += view.pieces.size();
      whole = view.state == net::StreamedBody::State::kComplete;
      if (view.state != net::StreamedBody::State::kGrowing) break;
      if (view.pieces.empty() &&
          !co_await waiter->Wait(std::chrono::steady_clock::now() + wait_limit)) {
        break;
      }
    }
    whole = whole && body.size() <= kMaxEventJson;
    const MonoTime now = clock->Monotonic();
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
               net::HeaderValue(answer->headers, contract::kEvent) == "none") {
      timings.NoSuchEvent(event, answer->fresh_until);
      co_return;
    }
    timings.FetchFailed(event, now + std::chrono::seconds(1));
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
  impl_ = std::make_unique<Impl>(config_, clock_, cache_);
  return impl_->service.Start();
}

void Edge::Stop() {
  if (impl_) impl_->service.Stop();
}

void Edge::Drain() {
  if (impl_) impl_->SetDraining(true);
}

Status Edge::Announce(AnnounceOptions options) {
  if (!impl_) return Unavailable("the edge is not started");
  auto announcer = std::make_shared<Announcer>(std::move(options));
  ONAIR_RETURN_IF_ERROR(announcer->Validate());
  impl_->service.Every("announce", announcer->options().interval,
                       [announcer]() { return announcer->Once(); });
  return Status::Ok();
}

int Edge::port() const { return impl_ ? impl_->service.port() : 0; }

int Edge::tls_port() const { return impl_ ? impl_->service.tls_port() : 0; }

MetricsRegistry& Edge::metrics() { return impl_->service.metrics(); }

}  // namespace onair::edge
