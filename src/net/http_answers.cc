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

bool TokenMatches(std::string_view header, const std::string& token) {
  const std::string_view prefix = "Bearer ";
  if (token.empty() || header.size() != prefix.size() + token.size()) return false;
  if (header.substr(0, prefix.size()) != prefix) return false;
  unsigned char diff = 0;  // constant time over the token
  for (size_t k = 0; k < token.size(); ++k) {
    diff |= static_cast<unsigned char>(header[prefix.size() + k] ^ token[k]);
  }
  return diff == 0;
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
