#include "playback/service.h"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "contract/qoe.h"
#include "net/url.h"
#include "net/waiter.h"
#include "playback/device.h"
#include "playback/play.h"
#include "playback/poller.h"
#include "playback/qoe_forward.h"
#include "playback/view.h"
#include "web/serve.h"

namespace onair::playback {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using service::Body;
using service::Error;
using service::Exchange;
using service::Json;
using service::Priority;
using service::Reply;

service::ServiceConfig PlaybackConfig::Defaults() {
  service::ServiceConfig c;
  c.name = "playback";
  c.cors = true;  // browsers' players call from the page's origin
  c.admin_body_limit = 64 * 1024;
  c.admission.adaptive = true;
  c.admission.take_turns = true;
  return c;
}

struct PlaybackService::Impl {
  Impl(const PlaybackConfig& c, Clock* clock)
      : cfg(c),
        service(c.service, clock),
        catalog(c.origins, c.catalog, clock),
        fleet(c.edges, c.levers, {c.rank, {c.public_url, c.target_latency_us}}, &catalog, clock,
              &service.metrics()),
        answers(&fleet, clock, &service.metrics(), c.steering_ttl_s),
        poller(c.poll_timeout, clock) {
    if (auto where = net::SplitUrl(c.metrics_url + "/v1/events");
        !c.metrics_url.empty() && where.ok()) {
      forward = std::make_unique<QoeForwarder>(where->server, where->target, service.metrics());
      answers.set_forward([this](const std::string& body) { forward->Push(body); });
    }
    AddRoutes();
  }

  const PlaybackConfig& cfg;
  service::Service service;
  Catalog catalog;
  FleetState fleet;
  PlayAnswers answers;
  EdgePoller poller;
  std::unique_ptr<QoeForwarder> forward;  // with --metrics
  std::string public_url;

  void AddRoutes() {
    const http::verb kGet = http::verb::get, kPost = http::verb::post;
    // The hot route first: the table is searched in order.
    service.Add({.name = "play",
                 .methods = {kPost},
                 .pattern = "/v1/playback/{event}",
                 .help = "a manifest made for the device described in the body (JSON)",
                 .body = Body::kBuffered,
                 .body_limit = kMaxDeviceBody,
                 .priority = Priority::kLive,
                 .priority_header = true,
                 .sync = [this](Exchange& ex) { return Play(ex, nullptr); },
                 .async = [this](Exchange& ex) { return AwaitPlay(ex); }});
    service.Add({.name = "steering",
                 .methods = {kGet},
                 .pattern = "/v1/steering/{event}",
                 .help = "where a running player fetches from now (DASH/HLS content steering)",
                 .priority = Priority::kOther,
                 .priority_header = true,
                 .sync = [this](Exchange& ex) -> Reply {
                   return answers.Steering(std::string(ex.param(0)), ex.query(), public_url);
                 }});
    service.Add({.name = "events",
                 .methods = {kPost},
                 .pattern = "/v1/events",
                 .help = "a batch of QoE events from a player (JSON)",
                 .body = Body::kBuffered,
                 .body_limit = contract::kMaxEventBatchBody,
                 .priority = Priority::kOther,
                 .priority_header = true,
                 .sync = [this](Exchange& ex) { return answers.Events(ex.body()); }});
    // The web player (web/): its page and scripts, embedded in the binary.
    for (const char* pattern : {"/watch/{event}", "/web/*"}) {
      service.Add({.name = "web",
                   .methods = {kGet},
                   .pattern = pattern,
                   .help = "the web player",
                   .sync = [](Exchange& ex) { return web::ServeAsset(ex.path()); }});
    }
    // The operator's levers and the fleet.
    service.AddAdmin({.name = "admin-levers",
                      .methods = {kGet, http::verb::patch, http::verb::put},
                      .pattern = "/levers",
                      .help = "the levers; PATCH changes the fields it gives (docs/playback.md)",
                      .mutates = true,
                      .sync = [this](Exchange& ex) -> Reply {
                        if (ex.method() != kGet) {
                          auto next = fleet.PatchLevers(ex.body());
                          if (!next.ok()) return Error(400, next.status().message());
                        }
                        return Json(200, LeversToJson(fleet.levers()) + "\n");
                      }});
    service.AddAdmin(
        {.name = "admin-edges",
         .methods = {kGet},
         .pattern = "/edges",
         .help = "the edge fleet, each edge's last status, whether it takes viewers",
         .sync = [this](Exchange&) -> Reply { return Json(200, fleet.EdgesJson() + "\n"); }});
    service.AddAdmin({.name = "admin-edge",
                      .methods = {http::verb::put, http::verb::delete_},
                      .pattern = "/edges/{name}",
                      .help = "register (PUT, JSON) or remove (DELETE) an edge",
                      .mutates = true,
                      .sync = [this](Exchange& ex) -> Reply {
                        const std::string name(ex.param(0));
                        if (ex.method() == http::verb::put) {
                          Status s = fleet.PutEdge(name, ex.body());
                          if (!s.ok()) return Error(400, s.message());
                        } else {
                          fleet.RemoveEdge(name);
                        }
                        return Json(200, fleet.EdgesJson() + "\n");
                      }});
    service.SetReadiness([this]() -> std::optional<std::string> {
      if (!catalog.reachable()) return "no origin answers";
      auto view = fleet.Current();
      if (RankEdges(view->edges, view->health, "", service.clock()->Monotonic(), cfg.rank)
              .empty()) {
        return "no edge can take viewers";
      }
      return std::nullopt;
    });
    service.OnScrape([this] {
      service.metrics()
          .gauge("onair_playback_catalog_reachable", "1 while the origin answers.")
          .Set(catalog.reachable() ? 1 : 0);
    });
    service.Every("edge-poll", cfg.poll_interval, [this]() -> asio::awaitable<void> {
      auto polled = co_await poller.PollAll(fleet.edges());
      fleet.SetHealth(polled);
    });
    if (forward) {
      service.Every("qoe-forward", std::chrono::milliseconds(250),
                    [this]() -> asio::awaitable<void> {
                      auto executor = co_await asio::this_coro::executor;
                      co_await forward->Flush(executor);
                    });
    }
    service.Every("catalog", std::chrono::milliseconds(500),
                  service::PeriodicTask::Plain([this] { catalog.Tick(); }));
  }

  // A play start: the event from the catalog, or a wait for its first fetch (deferred to
  // AwaitPlay, the route's coroutine).
  Reply Play(Exchange& ex, const Catalog::Found* fetched) {
    const std::string event(ex.param(0));
    if (!PlayAnswers::IsEventName(event)) return Error(404, "no such event");
    // A body that is no device description is answered at once, whatever the event.
    if (!fetched && !ParseDevice(ex.body()).ok()) {
      return answers.Play(event, ex.body(), {Catalog::State::kMissing, nullptr});
    }
    Catalog::Found found = fetched ? *fetched : catalog.Find(event, nullptr);
    if (found.state == Catalog::State::kPending && !fetched) return Reply::Defer();
    return answers.Play(event, ex.body(), found);
  }

  asio::awaitable<Reply> AwaitPlay(Exchange& ex) {
    const std::string event(ex.param(0));
    auto executor = co_await asio::this_coro::executor;
    auto waiter = std::make_shared<net::Waiter>(executor);
    Catalog::Found f = catalog.Find(event, [waiter] { waiter->Wake(); });
    if (f.state == Catalog::State::kPending) {
      co_await waiter->Wait(std::chrono::steady_clock::now() + cfg.first_fetch_wait);
      f = catalog.Find(event, nullptr);
    }
    co_return Play(ex, &f);
  }
};

PlaybackService::PlaybackService(PlaybackConfig config, Clock* clock)
    : config_(std::move(config)), clock_(clock), impl_(std::make_unique<Impl>(config_, clock_)) {}

PlaybackService::~PlaybackService() { Stop(); }

Status PlaybackService::Start() {
  for (const EdgeEntry& e : config_.edges) {
    if (!net::ParseUrl(e.base_url).ok()) return InvalidArgument("not an edge URL: " + e.base_url);
  }
  ONAIR_RETURN_IF_ERROR(impl_->catalog.Validate());
  if (!config_.metrics_url.empty() && !impl_->forward) {  // made from the URL if it is one
    return InvalidArgument("not a metrics service URL: " + config_.metrics_url);
  }
  ONAIR_RETURN_IF_ERROR(impl_->service.Start());
  std::string url = config_.public_url.empty() ? impl_->service.url() : config_.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  impl_->public_url = url;
  impl_->fleet.set_public_url(url);
  impl_->catalog.Start(impl_->service.background());
  return Status::Ok();
}

void PlaybackService::Stop() {
  impl_->catalog.Stop();
  impl_->service.Stop();
}

int PlaybackService::port() const { return impl_->service.port(); }
int PlaybackService::tls_port() const { return impl_->service.tls_port(); }
MetricsRegistry& PlaybackService::metrics() { return impl_->service.metrics(); }

}  // namespace onair::playback
