#include "net/http_answers.h"

#include <boost/asio/error.hpp>

namespace onair::net {

namespace asio = boost::asio;
namespace beast = boost::beast;

TextResponse TextAnswer(int status, unsigned version, std::string body, const std::string& server,
                        const std::string& cache_control) {
  TextResponse res(static_cast<http::status>(status), version);
  res.set(http::field::server, server);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, cache_control);
  res.body() = std::move(body);
  if (!res.body().empty() && res.body().back() != '\n') res.body() += '\n';
  return res;
}

std::optional<TextResponse> HeaderReadError(const beast::error_code& ec,
                                            const std::string& server) {
  if (ec == http::error::header_limit) {
    return TextAnswer(431, 11, "request header too large", server);
  }
  if (ec == http::error::body_limit) {
    return TextAnswer(413, 11, "request body larger than the limit", server);
  }
  if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset) {
    return std::nullopt;
  }
  return TextAnswer(400, 11, "bad request: " + ec.message(), server);
}

}  // namespace onair::net
