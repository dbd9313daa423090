#include "origin/origin.h"

#include "origin/admin.h"
#include "origin/manifests.h"
#include "origin/reads.h"
#include "origin/request.h"
#include "origin/upload.h"

namespace onair::origin {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using service::Body;
using service::Error;
using service::Exchange;
using service::Priority;
using service::Reply;

service::ServiceConfig OriginConfig::Defaults() {
  service::ServiceConfig c;
  c.name = "origin";
  c.admission.max_in_flight[static_cast<int>(Priority::kLive)] = 50'000;
  c.admission.max_in_flight[static_cast<int>(Priority::kCatchUp)] = 2'000;
  c.admission.shed_lag_ms[static_cast<int>(Priority::kCatchUp)] = 50;
  c.admission.shed_lag_ms[static_cast<int>(Priority::kLive)] = 250;
  // A DVR reader can wait: it is told to come back no sooner than in 5 s.
  c.admission.min_retry_ms[static_cast<int>(Priority::kCatchUp)] = 5000;
  return c;
}

// The rooms the routes lead to, made once the store exists.
struct Origin::Routes {
  Routes(Store& store, Clock* clock, MetricsRegistry& m, const OriginConfig& c)
      : reads(store, clock, m, c.service.body_timeout),
        uploads(store, m, {c.pipeline_token, c.no_auth, c.max_body_bytes}) {}
  Reads reads;
  Uploads uploads;
};

Origin::Origin(OriginConfig config, Clock* clock)
    : config_(std::move(config)), clock_(clock), service_(config_.service, clock) {
  const http::verb kGet = http::verb::get, kPut = http::verb::put, kPost = http::verb::post;
  service_.Add({.name = "upload",
                .methods = {kPut},
                .pattern = "/live/*",
                .help = "a pipeline's chunked upload of an init or media segment",
                .body = Body::kStreamed,
                .priority = Priority::kCritical,
                .stream = [this](Exchange& ex) {
                  return routes_->uploads.Put(ex, ParseTarget(ex.target()));
                }});
  service_.Add({.name = "upload-refused",
                .methods = {kPut},
                .pattern = "/*",
                .help = "refuses a PUT of anything but a segment (400)",
                .body = Body::kStreamed,
                .priority = Priority::kCritical,
                .refusal = true,
                .stream = [this](Exchange& ex) -> asio::awaitable<bool> {
                  co_await ex.Send(routes_->uploads.Refusal(ParseTarget(ex.target())));
                  co_return false;
                }});
  service_.Add({.name = "event-file",
                .methods = {kGet},
                .pattern = "/live/{event}/{file}",
                .help = "manifest.mpd, master.m3u8 or event.json of an event",
                .priority = Priority::kLive,
                .sync = [this](Exchange& ex) -> Reply {
                  const Target t = ParseTarget(ex.target());
                  if (t.kind != Target::kManifest)
                    return Error(404, "no such path", {}, "max-age=60");
                  return ManifestAnswer(*store_, t, clock_->Now());
                }});
  service_.Add(
      {.name = "object",
       .methods = {kGet},
       .pattern = "/live/{event}/{rendition}/{file}",
       .help = "an init or media segment (held until published), or a media playlist",
       .classify =
           [this](const Exchange& ex) { return routes_->reads.Classify(ParseTarget(ex.target())); },
       .stream = [this](Exchange& ex) -> asio::awaitable<bool> {
         const Target t = ParseTarget(ex.target());
         if (t.kind == Target::kObject) co_return co_await routes_->reads.Get(ex, t);
         auto res = t.kind == Target::kManifest ? ManifestAnswer(*store_, t, clock_->Now())
                                                : Error(404, "no such path", {}, "max-age=60");
         co_return co_await ex.Send(std::move(res));
       }});
  service_.Add(
      {.name = "live-unknown",
       .methods = {kGet},
       .pattern = "/live/*",
       .help = "any other path under /live (404)",
       .sync = [](Exchange&) -> Reply { return Error(404, "no such path", {}, "max-age=60"); }});
  // The admin API.
  service_.AddAdmin({.name = "admin-events",
                     .methods = {kGet, kPost},
                     .pattern = "/events",
                     .help = "the events (GET); create or replace one from its config (POST)",
                     .body = Body::kBuffered,
                     .mutates = true,
                     .sync = [this](Exchange& ex) -> Reply {
                       return ex.method() == kPost ? PutEvent(*store_, ex.body())
                                                   : ListEvents(*store_);
                     }});
  service_.AddAdmin({.name = "admin-event",
                     .methods = {kGet},
                     .pattern = "/events/{event}",
                     .help = "an event's config and levers",
                     .sync = [this](Exchange& ex) -> Reply {
                       return DescribeEvent(*store_, std::string(ex.param(0)));
                     }});
  service_.AddAdmin({.name = "admin-pipelines",
                     .methods = {kPost},
                     .pattern = "/events/{event}/pipelines",
                     .help = "prefer, mask or unmask a pipeline: {\"prefer\": \"B\"}",
                     .mutates = true,
                     .sync = [this](Exchange& ex) -> Reply {
                       return SetPipelines(*store_, std::string(ex.param(0)), ex.body());
                     }});
  service_.AddAdmin({.name = "admin-invalidate",
                     .methods = {kPost},
                     .pattern = "/events/{event}/invalidate",
                     .help = "drop segments from..to (of one pipeline): {\"from\": n, \"to\": m}",
                     .mutates = true,
                     .sync = [this](Exchange& ex) -> Reply {
                       return InvalidateSegments(*store_, std::string(ex.param(0)), ex.body());
                     }});
  service_.SetReadiness([this]() -> std::optional<std::string> {
    if (!loaded_) return "loading its events";
    return std::nullopt;
  });
}

Origin::~Origin() { Stop(); }

Status Origin::Start() {
  if (!config_.no_auth && config_.pipeline_token.empty()) {
    return InvalidArgument("a pipeline token is required (--pipeline-token), or --no-auth");
  }
  if (!config_.data_dir.empty()) {
    disk_ = std::make_unique<DiskStore>(config_.data_dir, &service_.metrics());
    ONAIR_RETURN_IF_ERROR(disk_->Open());
  }
  store_ = std::make_unique<Store>(clock_, &service_.metrics(), disk_.get());
  if (disk_) ONAIR_RETURN_IF_ERROR(disk_->LoadInto(*store_));
  for (const std::string& file : config_.event_files) {
    auto ev = LoadEventConfig(file);
    if (!ev.ok()) return ev.status();
    ONAIR_RETURN_IF_ERROR(store_->PutEvent(*ev));
  }
  routes_ = std::make_unique<Routes>(*store_, clock_, service_.metrics(), config_);
  // Segments older than each event's window leave memory every second.
  service_.Every("evict", std::chrono::seconds(1),
                 service::PeriodicTask::Plain([this] { store_->Evict(); }));
  ONAIR_RETURN_IF_ERROR(service_.Start());
  loaded_ = true;
  return Status::Ok();
}

void Origin::Stop() {
  service_.Stop();
  if (disk_) disk_->Flush();
}

int Origin::port() const { return service_.port(); }
int Origin::tls_port() const { return service_.tls_port(); }

}  // namespace onair::origin
