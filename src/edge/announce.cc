#include "edge/announce.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "core/event_config.h"
#include "core/log.h"
#include "net/http_client.h"
#include "net/url.h"

namespace onair::edge {

Announcer::Announcer(AnnounceOptions options) : o_(std::move(options)) {}

Announcer::~Announcer() { Stop(); }

Status Announcer::Start() {
  if (!net::ParseUrl(o_.service).ok()) return InvalidArgument("not a service URL: " + o_.service);
  if (!IsSafeName(o_.name)) return InvalidArgument("--name must be 1-64 of [a-zA-Z0-9_-]");
  if (!net::ParseUrl(o_.base_url).ok()) return InvalidArgument("not an edge URL: " + o_.base_url);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void Announcer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Announcer::Loop() {
  const auto url = net::ParseUrl(o_.service);
  nlohmann::json body = {{"base_url", o_.base_url}, {"region", o_.region}};
  if (o_.max_egress_bps > 0) body["max_egress_bps"] = o_.max_egress_bps;
  if (o_.max_connections > 0) body["max_connections"] = o_.max_connections;
  const std::string text = body.dump();
  std::optional<bool> last;  // the last round's outcome: log changes only
  for (;;) {
    net::HttpConnection conn(*url);
    auto r =
        conn.Send("PUT", url->path + "/v1/admin/edges/" + o_.name,
                  {{"Authorization", "Bearer " + o_.token}, {"Content-Type", "application/json"}},
                  text, std::chrono::milliseconds(2000));
    const bool now_ok = r.ok() && r->status == 200;
    if (last != now_ok) {
      if (now_ok) {
        Logger("edge")->info("announced to {} as {}", o_.service, o_.name);
      } else {
        Logger("edge")->warn("cannot announce to {}: {}", o_.service,
                             r.ok() ? "HTTP " + std::to_string(r->status) + " " + r->body
                                    : std::string(r.status().message()));
      }
    }
    last = now_ok;
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, o_.interval, [&] { return stop_; })) return;
  }
}

}  // namespace onair::edge
