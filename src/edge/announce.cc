#include "edge/announce.h"

#include <boost/asio/this_coro.hpp>

#include "contract/admin_paths.h"
#include "contract/edge_registration.h"
#include "core/event_config.h"
#include "core/log.h"
#include "net/http_client.h"
#include "net/url.h"

namespace onair::edge {

namespace asio = boost::asio;

namespace {

// Made outside the coroutine: g++ 12 miscompiles some braced initialisers inside one.
std::string RegistrationBody(const AnnounceOptions& o) {
  return contract::WriteEdgeRegistration(
      {o.base_url, o.region, o.max_egress_bps, o.max_connections});
}

net::Headers RegistrationHeaders(const AnnounceOptions& o) {
  return {{"Authorization", "Bearer " + o.token}, {"Content-Type", "application/json"}};
}

}  // namespace

Status Announcer::Validate() const {
  if (!net::ParseUrl(o_.service).ok()) return InvalidArgument("not a service URL: " + o_.service);
  if (!IsSafeName(o_.name)) return InvalidArgument("--name must be 1-64 of [a-zA-Z0-9_-]");
  if (!net::ParseUrl(o_.base_url).ok()) return InvalidArgument("not an edge URL: " + o_.base_url);
  return Status::Ok();
}

asio::awaitable<void> Announcer::Once() {
  const auto url = net::ParseUrl(o_.service);
  if (!url.ok()) co_return;
  // The executor bound to a name first: g++ 12 destroys twice the default-argument temporary
  // of a call whose arguments hold a co_await (docs/decisions.md).
  auto ex = co_await asio::this_coro::executor;
  net::HttpClient client(ex, *url);
  auto r = co_await client.Send("PUT", url->path + contract::AdminEdgePath(o_.name),
                                RegistrationHeaders(o_), RegistrationBody(o_),
                                std::chrono::milliseconds(2000));
  const bool ok = r.ok() && r->status == 200;
  if (last_ != ok) {
    if (ok) {
      Logger("edge")->info("announced to {} as {}", o_.service, o_.name);
    } else {
      Logger("edge")->warn("cannot announce to {}: {}", o_.service,
                           r.ok() ? "HTTP " + std::to_string(r->status) + " " + r->body
                                  : std::string(r.status().message()));
    }
  }
  last_ = ok;
}

}  // namespace onair::edge
