// A service's route table (docs/service.md, "Routes"): each route is a path pattern, the
// methods it answers, how its request body is read (none, buffered up to a limit, or
// streamed by the handler), its priority class for admission, and its handler. Patterns are
// literal segments, `{name}` for one segment and a final `*` for the rest, e.g.
// "/admin/edges/{name}" or "/live/*" (service/target.h: plain code over the request target,
// fuzzed).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "net/any_stream.h"
#include "service/admission.h"
#include "service/reply.h"
#include "service/target.h"

namespace onair::service {

class Exchange;

enum class Body {
  kNone,      // a request with a body is refused (400)
  kBuffered,  // read whole before the handler runs, up to Route::body_limit (413 beyond)
  kStreamed,  // the handler reads it (Exchange::parser(), Exchange::buffer())
};

// Answers from the request alone, no waiting: most routes.
using SyncHandler = std::function<Reply(Exchange&)>;
// Answers after waiting (a fetch, a segment that is not there yet).
using AsyncHandler = std::function<boost::asio::awaitable<Reply>(Exchange&)>;
// Reads and writes the connection itself (an upload streamed in, a segment streamed out);
// returns whether the connection may carry another request.
using StreamHandler = std::function<boost::asio::awaitable<bool>(Exchange&)>;
// A WebSocket route's handler: the connection after the upgrade's handshake.
using WebSocket = boost::beast::websocket::stream<net::AnyStream>;
using UpgradeHandler = std::function<boost::asio::awaitable<void>(Exchange&, WebSocket&)>;

struct Route {
  std::string name;                               // for metrics and fault rules: [a-z0-9-]
  std::vector<boost::beast::http::verb> methods;  // GET also answers HEAD
  std::string pattern;
  std::string help;  // one line for GET /admin/routes
  Body body = Body::kNone;
  size_t body_limit = 64 * 1024;
  // The request's class for admission; `classify`, when set, decides per request, and
  // `priority_header` lets a client say it (X-Onair-Priority: live, catch-up, other).
  Priority priority = Priority::kOther;
  std::function<Priority(const Exchange&)> classify;
  bool priority_header = false;
  bool admin = false;    // under /admin, behind the admin token; never shed, never faulted
  bool mutates = false;  // changes the service's state (listed as such)
  bool faults = true;    // the fault hook may act on it
  bool logged = true;    // in the request log (admin routes never are)
  // A catch-all that refuses what its methods send anywhere else (the origin's PUT of a path
  // that is no segment's): other methods on its paths are not "method not allowed" but 404.
  bool refusal = false;
  SyncHandler sync;    // one of these four
  AsyncHandler async;  // (with sync: what a sync handler defers to)
  StreamHandler stream;
  UpgradeHandler upgrade;  // GET with Upgrade: websocket

  // Set by the table and the service: the parsed pattern, and the route's answers by class
  // (1xx-2xx, 3xx, 4xx, 5xx).
  Pattern parsed;
  Counter* answered[4] = {};
};

// Where a path leads: a route and its {name} values, or why none.
struct Match {
  const Route* route = nullptr;
  std::vector<std::string_view> params;  // the {name} segments, in order; "*": the rest last
  bool path_known = false;               // some route has this path, for another method
  std::string allow;                     // then: the methods it has ("GET, HEAD, POST")
};

class RouteTable {
 public:
  // Adds a route; the first added of two that match a request wins, but a catch-all ("/*")
  // answers only paths that no other route knows.
  Route& Add(Route route);
  Match Find(boost::beast::http::verb method, std::string_view path) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace onair::service
