#include "service/reply.h"

namespace onair::service {

Response Error(int status, std::string_view message, const contract::ErrorFields& more,
               const std::string& cache_control) {
  return Json(status, contract::WriteError(message, more), cache_control);
}

Response RetryLater(std::string_view message, int64_t retry_ms, int status) {
  Response res = Error(status, message, {{"retry_after_ms", retry_ms}});
  res.set(http::field::retry_after, std::to_string((retry_ms + 999) / 1000));
  return res;
}

Response Json(int status, std::string body, const std::string& cache_control) {
  return Text(status, std::move(body), cache_control, "application/json");
}

Response Text(int status, std::string body, const std::string& cache_control,
              const std::string& content_type) {
  Response res(static_cast<http::status>(status), 11);
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, cache_control);
  res.body() = std::move(body);
  return res;
}

Reply Reply::Raw(std::shared_ptr<const std::string> bytes) {
  Reply r;
  r.raw = std::move(bytes);
  return r;
}

Reply Reply::Defer() {
  Reply r;
  r.defer = true;
  return r;
}

}  // namespace onair::service
