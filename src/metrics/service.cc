#include "metrics/service.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "contract/qoe.h"
#include "core/log.h"
#include "metrics/archive.h"
#include "net/http_client.h"
#include "net/nats.h"
#include "net/outbox.h"
#include "service/target.h"
#include "web/serve.h"

namespace onair::metrics {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using service::Body;
using service::Error;
using service::Exchange;
using service::Json;
using service::Priority;
using service::Reply;

service::ServiceConfig MetricsConfig::Defaults() {
  service::ServiceConfig c;
  c.name = "metrics";
  c.cors = true;  // web players post their events from the page's origin
  return c;
}

namespace {

// A whole number of Unix seconds from the query, or `otherwise`.
StatusOr<int64_t> SecondParam(std::string_view query, std::string_view key, int64_t otherwise) {
  const std::string_view v = service::QueryValue(query, key);
  if (v.empty()) return otherwise;
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 0 || n > 1'000'000'000'000) {
    return InvalidArgument(std::string(key) + " must be Unix seconds");
  }
  return n;
}

}  // namespace

struct MetricsService::Impl {
  Impl(const MetricsConfig& c, Clock* clock)
      : cfg(c),
        service(c.service, clock),
        monitor(c.monitor),
        watch(c.watch, clock),
        batches_accepted(service.metrics().counter(
            "onair_metrics_batches_total", "QoE batches, by result.", {{"result", "accepted"}})),
        batches_refused(
            service.metrics().counter("onair_metrics_batches_total", "", {{"result", "refused"}})),
        events_accepted(service.metrics().counter("onair_metrics_events_total",
                                                  "QoE events, by what became of them.",
                                                  {{"result", "accepted"}})),
        events_late(
            service.metrics().counter("onair_metrics_events_total", "", {{"result", "late"}})),
        events_early(
            service.metrics().counter("onair_metrics_events_total", "", {{"result", "early"}})),
        alerts_fired(service.metrics().counter("onair_metrics_alerts_total",
                                               "Alerts that changed state, by state.",
                                               {{"state", "firing"}})),
        alerts_resolved(
            service.metrics().counter("onair_metrics_alerts_total", "", {{"state", "resolved"}})),
        notified(service.metrics().counter("onair_metrics_alertmanager_posts_total",
                                           "Posts of the alerts to Alertmanager, by result.",
                                           {{"result", "sent"}})),
        notify_failed(service.metrics().counter("onair_metrics_alertmanager_posts_total", "",
                                                {{"result", "failed"}})),
        outbox(c.monitor.collector),
        parts_sent(service.metrics().counter(
            "onair_metrics_parts_total",
            "Collectors' parts (NATS), by what became of them: sent, dropped (the buffer was "
            "full), received, late, refused.",
            {{"result", "sent"}})),
        parts_dropped(
            service.metrics().counter("onair_metrics_parts_total", "", {{"result", "dropped"}})),
        parts_received(
            service.metrics().counter("onair_metrics_parts_total", "", {{"result", "received"}})),
        parts_late(
            service.metrics().counter("onair_metrics_parts_total", "", {{"result", "late"}})),
        parts_refused(
            service.metrics().counter("onair_metrics_parts_total", "", {{"result", "refused"}})) {
    AddRoutes();
  }

  const MetricsConfig& cfg;
  service::Service service;
  std::mutex mu;  // the monitor (one collector per loop is the next step: docs/metrics.md)
  Monitor monitor;
  Watch watch;  // on the background loop only
  // The live stream's overviews, one per event and tick (under mu).
  struct Frame {
    MonoTime made{};
    std::shared_ptr<const std::string> json;
  };
  std::map<std::string, Frame> frames;
  bool notify_due = false;  // the alerts changed since the last post (under mu)
  MonoTime notified_at{};
  std::unique_ptr<net::HttpClient> alertmanager;  // on the background loop only
  std::atomic<size_t> live{0};
  Counter& batches_accepted;
  Counter& batches_refused;
  Counter& events_accepted;
  Counter& events_late;
  Counter& events_early;
  Counter& alerts_fired;
  Counter& alerts_resolved;
  Counter& notified;
  Counter& notify_failed;
  // Past one machine: a collector's seconds until they are published (under outbox_mu).
  std::mutex outbox_mu;
  Collector outbox;
  Counter& parts_sent;
  Counter& parts_dropped;
  Counter& parts_received;
  Counter& parts_late;
  Counter& parts_refused;
  uint64_t dropped_seen = 0;         // of parts_out->dropped(), counted (on scrape, under mu)
  std::unique_ptr<Archive> archive;  // with a data folder (under mu)
  Counter* archive_failed = nullptr;
  MonoTime archive_warned{};
  // Last, so they go first: no part is sent or taken once the rest is gone.
  std::unique_ptr<net::NatsLink> nats;
  std::unique_ptr<net::Outbox> parts_out;

  bool collecting() const { return !cfg.nats.url.empty() && cfg.nats.role == Role::kCollector; }

  Status Start() {
    if (!cfg.data_dir.empty()) {
      archive = std::make_unique<Archive>(cfg.data_dir);
      archive_failed = &service.metrics().counter(
          "onair_metrics_archive_failures_total",
          "Writes of closed seconds or alerts to the data folder that failed (tried again).");
    }
    if (!cfg.nats.url.empty()) {
      auto link = net::NatsLink::Open(cfg.nats.url, "onair-metrics");
      if (!link.ok()) return link.status();
      nats = std::move(*link);
      if (collecting()) {
        parts_out = std::make_unique<net::Outbox>(
            [this](std::string_view part) {
              Status s = nats->Publish(cfg.nats.subject, part);
              if (s.ok()) parts_sent.Inc();
              return s;
            },
            cfg.nats.buffer_bytes);
      } else {
        ONAIR_RETURN_IF_ERROR(
            nats->Subscribe(cfg.nats.subject, [this](std::string_view part) { Absorb(part); }));
      }
    }
    return service.Start();
  }

  void Stop() {
    service.Stop();
    if (parts_out) {
      Publish();  // the last seconds, given a moment to go
      for (int i = 0; i < 20 && parts_out->waiting_bytes() > 0 && nats->connected(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    parts_out.reset();
    nats.reset();
  }

  // A collector's seconds, out as parts (every publish interval).
  void Publish() {
    std::vector<std::string> parts;
    {
      std::lock_guard<std::mutex> lock(outbox_mu);
      parts = outbox.Drain(cfg.nats.part_bytes);
    }
    for (std::string& part : parts) parts_out->Offer(std::move(part));
  }

  // A collector's part, merged (on the NATS client's thread).
  void Absorb(std::string_view part) {
    StatusOr<Absorbed> a = InvalidArgument("");
    {
      std::lock_guard<std::mutex> lock(mu);
      a = monitor.collector().Absorb(part, service.clock()->Now());
    }
    if (!a.ok() || a->refused) {
      parts_refused.Inc();
      Logger("metrics")->warn("part refused: {}",
                              a.ok() ? "too many events at once" : a.status().message());
      return;
    }
    parts_received.Inc();
    if (a->late || a->early) parts_late.Inc();
    events_accepted.Inc(a->events);
  }

  Reply Ingest(const std::string& body) {
    auto batch = contract::ParseQoeBatch(body);
    if (!batch.ok()) {
      batches_refused.Inc();
      return Error(400, batch.status().message());
    }
    Ingested in;
    if (collecting()) {
      std::lock_guard<std::mutex> lock(outbox_mu);
      in = outbox.Add(*batch, service.clock()->Now());
    } else {
      std::lock_guard<std::mutex> lock(mu);
      in = monitor.collector().Add(*batch, service.clock()->Now());
    }
    if (in.refused) {
      batches_refused.Inc();
      return Error(503, "too many events at once");
    }
    batches_accepted.Inc();
    events_accepted.Inc(in.accepted);
    events_late.Inc(in.late);
    events_early.Inc(in.early);
    return Json(
        202,
        nlohmann::json{{"accepted", in.accepted}, {"late", in.late}, {"early", in.early}}.dump() +
            "\n");
  }

  // ?from=&to= in Unix seconds: up to now, the default range back from `to`.
  StatusOr<std::pair<int64_t, int64_t>> Range(std::string_view query) const {
    auto to = SecondParam(query, "to", service.clock()->Now() / 1'000'000);
    if (!to.ok()) return to.status();
    auto from = SecondParam(query, "from", *to - cfg.default_range_s);
    if (!from.ok()) return from.status();
    if (*from > *to) return InvalidArgument("from is after to");
    return std::pair{*from, *to};
  }

  Reply Series(const std::string& event, std::string_view query) {
    auto range = Range(query);
    if (!range.ok()) return Error(400, range.status().message());
    const auto [from, to] = *range;
    std::vector<SecondNumbers> series;
    {
      std::lock_guard<std::mutex> lock(mu);
      const Collector& collector = monitor.collector();
      if (!collector.Has(event)) {
        return Error(404, collecting() ? "no figures here: this collector publishes its events "
                                         "to the aggregator (--role collector)"
                                       : "no figures for this event");
      }
      series = collector.Series(event, std::max(from, to - cfg.monitor.collector.keep_s), to);
    }
    nlohmann::json seconds = nlohmann::json::array();
    for (const SecondNumbers& s : series) seconds.push_back(s);
    return Json(200,
                nlohmann::json{
                    {"event", event}, {"from", from}, {"to", to}, {"seconds", std::move(seconds)}}
                        .dump() +
                    "\n");
  }

  Reply Services(std::string_view query) {
    auto range = Range(query);
    if (!range.ok()) return Error(400, range.status().message());
    const auto [from, to] = *range;
    std::lock_guard<std::mutex> lock(mu);
    return Json(200, monitor.ServicesJson(from, to).dump() + "\n");
  }

  // The event's overview, made at most every 250 ms however many control centers stream it.
  std::shared_ptr<const std::string> Overview(const std::string& event) {
    std::lock_guard<std::mutex> lock(mu);
    const MonoTime now = service.clock()->Monotonic();
    Frame& f = frames[event];
    if (!f.json || now - f.made >= std::chrono::milliseconds(250)) {
      f.json = std::make_shared<const std::string>(
          monitor.Overview(event, service.clock()->Now()).dump());
      f.made = now;
    }
    return f.json;
  }

  // GET /v1/live/{event}: server-sent events, one overview per interval, until the client
  // leaves (or does not read within the send timeout).
  asio::awaitable<bool> Live(Exchange& ex) {
    const std::string event(ex.param(0));
    if (live.fetch_add(1) >= cfg.max_live) {
      --live;
      co_return co_await ex.Send(Error(503, "too many live streams"));
    }
    struct Leave {
      std::atomic<size_t>& n;
      ~Leave() { --n; }
    } leave{live};
    http::response<http::empty_body> res{http::status::ok, ex.version()};
    res.set(http::field::content_type, "text/event-stream");
    res.set(http::field::cache_control, "no-cache");
    res.chunked(true);
    ex.Decorate(res);
    std::ostringstream header;
    header << res.base();
    const std::string header_bytes = header.str();
    ex.Answered(200);
    net::AnyStream& stream = ex.stream();
    constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
    stream.expires_after(ex.send_timeout());
    if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(header_bytes), kTuple); ec) {
      co_return false;
    }
    if (ex.head()) co_return false;
    auto executor = co_await asio::this_coro::executor;  // bound first (docs/decisions.md)
    asio::steady_timer timer(executor);
    bool first = true;
    while (service.running()) {
      // The first message says how soon to reconnect after a cut (EventSource's `retry`).
      const std::string message =
          std::string(first ? "retry: 2000\n" : "") + "data: " + *Overview(event) + "\n\n";
      first = false;
      stream.expires_after(ex.send_timeout());
      auto [ec, n] =
          co_await asio::async_write(stream, http::make_chunk(asio::buffer(message)), kTuple);
      if (ec) co_return false;
      timer.expires_after(cfg.live_interval);
      co_await timer.async_wait(kTuple);
    }
    stream.expires_after(ex.send_timeout());
    co_await asio::async_write(stream, http::make_chunk_last(), kTuple);
    co_return false;
  }

  void Tick() {
    std::vector<Alert> changed;
    {
      std::lock_guard<std::mutex> lock(mu);
      changed = monitor.Tick(service.clock()->Now());
      const MonoTime now = service.clock()->Monotonic();
      if (archive) {
        Status a = archive->Write(monitor.collector());
        if (a.ok()) a = archive->WriteAlerts(changed, service.clock()->Now());
        if (!a.ok()) {
          archive_failed->Inc();
          if (now - archive_warned > std::chrono::minutes(1)) {  // a full disk: once a minute
            Logger("metrics")->error("data folder: {}", a.message());
            archive_warned = now;
          }
        }
      }
      std::erase_if(frames,
                    [&](const auto& kv) { return now - kv.second.made > std::chrono::minutes(1); });
      if (!changed.empty()) notify_due = true;
    }
    for (const Alert& a : changed) {
      (a.state == AlertState::kFiring ? alerts_fired : alerts_resolved).Inc();
      Logger("metrics")->info("alert {} {}: {}", AlertStateName(a.state), a.key(),
                              a.condition.summary);
    }
  }

  // Posts the alerts to Alertmanager when they changed, and every resend interval.
  asio::awaitable<void> Notify() {
    const MonoTime now = service.clock()->Monotonic();
    std::string body;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!notify_due && now - notified_at < cfg.alertmanager.resend) co_return;
      body = AlertmanagerBody(monitor.alerts().Active(), monitor.alerts().History(),
                              service.clock()->Now(), cfg.alertmanager);
      notify_due = false;
    }
    notified_at = now;
    if (body.empty()) co_return;
    auto url = net::ParseUrl(cfg.alertmanager_url);
    if (!url.ok()) co_return;
    if (!alertmanager) {
      auto ex = co_await asio::this_coro::executor;  // bound first (docs/decisions.md)
      alertmanager = std::make_unique<net::HttpClient>(ex, *url);
    }
    net::Headers headers{{"Content-Type", "application/json"}};  // named: GCC 12 and co_await
    auto r = co_await alertmanager->Send("POST", url->path + "/api/v2/alerts", std::move(headers),
                                         body, std::chrono::seconds(2));
    if (r.ok() && r->status / 100 == 2) {
      notified.Inc();
      co_return;
    }
    notify_failed.Inc();
    alertmanager->Close();
    std::lock_guard<std::mutex> lock(mu);
    notify_due = true;  // again at the next run
    Logger("metrics")->warn(
        "alertmanager {}: {}", cfg.alertmanager_url,
        r.ok() ? "answered " + std::to_string(r->status) : r.status().message());
  }

  // The latest figures of each event for a Prometheus scrape: the span alerts judge.
  void ExposeEvents() {
    std::lock_guard<std::mutex> lock(mu);
    MetricsRegistry& m = service.metrics();
    const int64_t now_s = service.clock()->Now() / 1'000'000;
    const Collector& collector = monitor.collector();
    for (const std::string& event : collector.Events()) {
      const Numbers n =
          collector.Span(event, now_s - cfg.monitor.thresholds.window_s + 1, now_s).total;
      const Labels l{{"event", event}};
      const double span = static_cast<double>(cfg.monitor.thresholds.window_s);
      m.gauge("onair_metrics_event_concurrent_viewers", "Concurrent viewers, by event.", l)
          .Set(static_cast<double>(n.concurrent_viewers));
      m.gauge("onair_metrics_event_starts_per_second",
              "Play starts per second over the alerts' span, by event.", l)
          .Set(static_cast<double>(n.starts) / span);
      m.gauge("onair_metrics_event_start_failure_ratio",
              "Start failures of play attempts over the span, by event.", l)
          .Set(n.start_failure_pct / 100);
      m.gauge("onair_metrics_event_rebuffer_ratio", "Stalled of watch time over the span.", l)
          .Set(n.rebuffer_ratio);
      m.gauge("onair_metrics_event_vst_p95_seconds", "Video startup time p95 over the span.", l)
          .Set(n.vst_p95 / 1e3);
      m.gauge("onair_metrics_event_latency_p95_seconds", "Glass to glass p95 over the span.", l)
          .Set(n.latency_p95 / 1e3);
      m.gauge("onair_metrics_event_errors_per_second", "Player errors per second over the span.", l)
          .Set(static_cast<double>(n.errors) / span);
      m.gauge("onair_metrics_event_bitrate_bps", "Average bitrate over the span.", l)
          .Set(n.avg_bitrate);
    }
    m.gauge("onair_metrics_open_seconds", "Seconds held with their sketches, all events.")
        .Set(static_cast<double>(collector.open_seconds()));
    size_t firing = 0;
    for (const Alert& a : monitor.alerts().Active()) firing += a.state == AlertState::kFiring;
    m.gauge("onair_metrics_alerts_firing", "Alerts firing now.").Set(static_cast<double>(firing));
    m.gauge("onair_metrics_live_streams", "Control centers streaming now.")
        .Set(static_cast<double>(live.load()));
    if (nats) {
      m.gauge("onair_metrics_nats_connected", "1 while connected to NATS.")
          .Set(nats->connected() ? 1 : 0);
      m.gauge("onair_metrics_nats_dropped_messages",
              "Messages the aggregator's subscription dropped for falling behind.")
          .Set(static_cast<double>(nats->dropped()));
    }
    if (parts_out) {
      m.gauge("onair_metrics_parts_waiting_bytes", "Parts waiting for NATS, in bytes.")
          .Set(static_cast<double>(parts_out->waiting_bytes()));
      const uint64_t dropped = parts_out->dropped();
      parts_dropped.Inc(dropped - dropped_seen);
      dropped_seen = dropped;
    }
  }

  void AddRoutes() {
    service.Add({.name = "events",
                 .methods = {http::verb::post},
                 .pattern = "/v1/events",
                 .help = "a batch of QoE events from a player (JSON, contract/qoe.h)",
                 .body = Body::kBuffered,
                 .body_limit = contract::kMaxEventBatchBody,
                 .priority = Priority::kOther,
                 .priority_header = true,
                 .sync = [this](Exchange& ex) { return Ingest(ex.body()); }});
    service.Add(
        {.name = "figures",
         .methods = {http::verb::get},
         .pattern = "/v1/metrics/{event}",
         .help = "an event's per-second figures (?from=&to=, Unix seconds; the last "
                 "five minutes by default)",
         .sync = [this](Exchange& ex) { return Series(std::string(ex.param(0)), ex.query()); }});
    service.Add(
        {.name = "events-list",
         .methods = {http::verb::get},
         .pattern = "/v1/metrics",
         .help = "the events with figures",
         .sync = [this](Exchange&) -> Reply {
           std::lock_guard<std::mutex> lock(mu);
           return Json(200, nlohmann::json{{"events", monitor.collector().Events()}}.dump() + "\n");
         }});
    service.Add({.name = "overview",
                 .methods = {http::verb::get},
                 .pattern = "/v1/overview/{event}",
                 .help = "what the control center shows of an event now (JSON)",
                 .sync = [this](Exchange& ex) -> Reply {
                   return Json(200, *Overview(std::string(ex.param(0))) + "\n");
                 }});
    service.Add({.name = "live",
                 .methods = {http::verb::get},
                 .pattern = "/v1/live/{event}",
                 .help = "the overview every second, as server-sent events",
                 .faults = false,
                 .stream = [this](Exchange& ex) { return Live(ex); }});
    service.Add({.name = "alerts",
                 .methods = {http::verb::get},
                 .pattern = "/v1/alerts",
                 .help = "the alerts: active (pending, firing) and the last hour's",
                 .sync = [this](Exchange&) -> Reply {
                   std::lock_guard<std::mutex> lock(mu);
                   return Json(200, monitor.AlertsJson().dump() + "\n");
                 }});
    service.Add({.name = "services",
                 .methods = {http::verb::get},
                 .pattern = "/v1/services",
                 .help = "the services' signals per second (?from=&to=) and their state",
                 .sync = [this](Exchange& ex) { return Services(ex.query()); }});
    // The control center (web/control/), embedded in the binary.
    for (const char* pattern : {"/control", "/control/*"}) {
      service.Add({.name = "control",
                   .methods = {http::verb::get},
                   .pattern = pattern,
                   .help = "the control center",
                   .sync = [](Exchange& ex) { return web::ServeAsset(ex.path()); }});
    }
    service.Every("tick", cfg.tick_interval, service::PeriodicTask::Plain([this] { Tick(); }));
    if (!cfg.watch.playback_url.empty() || !cfg.watch.targets.empty()) {
      service.Every("watch", cfg.watch_interval, [this]() -> asio::awaitable<void> {
        WatchRound round = co_await watch.Round();
        std::lock_guard<std::mutex> lock(mu);
        monitor.Watched(round);
      });
    }
    if (!cfg.alertmanager_url.empty()) {
      service.Every("alertmanager", std::chrono::seconds(1), [this] { return Notify(); });
    }
    if (collecting()) {
      service.Every("publish", cfg.nats.publish_interval,
                    service::PeriodicTask::Plain([this] { Publish(); }));
    }
    service.OnScrape([this] { ExposeEvents(); });
  }
};

MetricsService::MetricsService(MetricsConfig config, Clock* clock)
    : config_(std::move(config)), impl_(std::make_unique<Impl>(config_, clock)) {}

MetricsService::~MetricsService() { Stop(); }

Status MetricsService::Start() { return impl_->Start(); }
void MetricsService::Stop() { impl_->Stop(); }
int MetricsService::port() const { return impl_->service.port(); }
int MetricsService::tls_port() const { return impl_->service.tls_port(); }

}  // namespace onair::metrics
