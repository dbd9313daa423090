#include "metrics/service.h"

#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>

#include "contract/qoe.h"
#include "service/target.h"

namespace onair::metrics {

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

nlohmann::json SecondJson(const SecondNumbers& s) {
  nlohmann::json j = s.total;
  j["t"] = FormatUtc(s.second * 1'000'000, false);
  j["second"] = s.second;
  j["final"] = s.final;
  nlohmann::json by = nlohmann::json::object();
  for (int d = 0; d < kDimensions; ++d) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [name, n] : s.by[static_cast<size_t>(d)]) values[name] = n;
    by[DimensionName(static_cast<Dimension>(d))] = std::move(values);
  }
  j["by"] = std::move(by);
  j["errors_by_kind"] = s.errors_by_kind;
  return j;
}

}  // namespace

struct MetricsService::Impl {
  Impl(const MetricsConfig& c, Clock* clock)
      : cfg(c),
        service(c.service, clock),
        collector(c.collector),
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
            service.metrics().counter("onair_metrics_events_total", "", {{"result", "early"}})) {
    AddRoutes();
  }

  const MetricsConfig& cfg;
  service::Service service;
  std::mutex mu;  // the collector (one per loop is the next step: docs/metrics.md)
  Collector collector;
  Counter& batches_accepted;
  Counter& batches_refused;
  Counter& events_accepted;
  Counter& events_late;
  Counter& events_early;

  Reply Ingest(const std::string& body) {
    auto batch = contract::ParseQoeBatch(body);
    if (!batch.ok()) {
      batches_refused.Inc();
      return Error(400, batch.status().message());
    }
    Ingested in;
    {
      std::lock_guard<std::mutex> lock(mu);
      in = collector.Add(*batch, service.clock()->Now());
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

  Reply Series(const std::string& event, std::string_view query) {
    const int64_t now_s = service.clock()->Now() / 1'000'000;
    auto to = SecondParam(query, "to", now_s);
    if (!to.ok()) return Error(400, to.status().message());
    auto from = SecondParam(query, "from", *to - cfg.default_range_s);
    if (!from.ok()) return Error(400, from.status().message());
    if (*from > *to) return Error(400, "from is after to");
    std::vector<SecondNumbers> series;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!collector.Has(event)) return Error(404, "no figures for this event");
      series = collector.Series(event, std::max(*from, *to - cfg.collector.keep_s), *to);
    }
    nlohmann::json seconds = nlohmann::json::array();
    for (const SecondNumbers& s : series) seconds.push_back(SecondJson(s));
    return Json(200,
                nlohmann::json{
                    {"event", event}, {"from", *from}, {"to", *to}, {"seconds", std::move(seconds)}}
                        .dump() +
                    "\n");
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
    service.Add({.name = "events-list",
                 .methods = {http::verb::get},
                 .pattern = "/v1/metrics",
                 .help = "the events with figures",
                 .sync = [this](Exchange&) -> Reply {
                   std::lock_guard<std::mutex> lock(mu);
                   return Json(200, nlohmann::json{{"events", collector.Events()}}.dump() + "\n");
                 }});
    service.Every("close", cfg.close_interval, service::PeriodicTask::Plain([this] {
                    std::lock_guard<std::mutex> lock(mu);
                    collector.Close(service.clock()->Now());
                  }));
    service.OnScrape([this] {
      std::lock_guard<std::mutex> lock(mu);
      service.metrics()
          .gauge("onair_metrics_open_seconds", "Seconds held with their sketches, all events.")
          .Set(static_cast<double>(collector.open_seconds()));
    });
  }
};

MetricsService::MetricsService(MetricsConfig config, Clock* clock)
    : config_(std::move(config)), impl_(std::make_unique<Impl>(config_, clock)) {}

MetricsService::~MetricsService() { Stop(); }

Status MetricsService::Start() { return impl_->service.Start(); }
void MetricsService::Stop() { impl_->service.Stop(); }
int MetricsService::port() const { return impl_->service.port(); }
int MetricsService::tls_port() const { return impl_->service.tls_port(); }

}  // namespace onair::metrics
