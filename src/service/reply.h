// What a route answers (docs/service.md): a Beast response, or a whole HTTP/1.1 response made
// ahead of time and sent as it is (the playback service's cached manifests). The helpers
// make the answers every service gives the same way: the JSON error shape
// (contract/error.h), JSON and text bodies, and a 503 that says when to come back.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "contract/error.h"

namespace onair::service {

namespace http = boost::beast::http;
using Response = http::response<http::string_body>;

// {"error": message, more...} with `status`; Cache-Control as given (errors are not kept by
// default).
Response Error(int status, std::string_view message, const contract::ErrorFields& more = {},
               const std::string& cache_control = "no-store");
// 503 (or `status`) with Retry-After in whole seconds, rounded up, and the milliseconds in the
// body ("retry_after_ms").
Response RetryLater(std::string_view message, int64_t retry_ms, int status = 503);
Response Json(int status, std::string body, const std::string& cache_control = "no-store");
Response Text(int status, std::string body, const std::string& cache_control = "no-store",
              const std::string& content_type = "text/plain; charset=utf-8");

struct Reply {
  Reply() = default;
  Reply(Response r) : response(std::move(r)) {}  // NOLINT: implicit by design
  // A whole HTTP/1.1 response, sent as it is (the service made it keep-alive and complete).
  static Reply Raw(std::shared_ptr<const std::string> bytes);
  // The route's coroutine answers instead (a sync handler that must wait, e.g. on a fetch).
  static Reply Defer();

  Response response;
  std::shared_ptr<const std::string> raw;
  bool defer = false;
  bool close = false;  // close the connection once it is sent

  int status() const { return raw ? 200 : response.result_int(); }
};

}  // namespace onair::service
