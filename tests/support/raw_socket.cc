#include "support/raw_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace onair::test {

using std::chrono::steady_clock;

RawSocket::RawSocket(int port, int receive_buffer) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  if (receive_buffer > 0) {
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Close();
}

RawSocket::~RawSocket() { Close(); }

void RawSocket::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool RawSocket::Send(const std::string& bytes) {
  size_t at = 0;
  while (fd_ >= 0 && at < bytes.size()) {
    const ssize_t n = send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return fd_ >= 0;
}

bool RawSocket::ReadSome(std::string* out, steady_clock::time_point until) {
  if (fd_ < 0 || peer_closed_) return false;
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(until - steady_clock::now()).count();
  if (left <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  const int ready = poll(&p, 1, static_cast<int>(left));
  if (ready <= 0) return false;
  char buf[16384];
  const ssize_t n = recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) {
    peer_closed_ = true;
    return false;
  }
  out->append(buf, static_cast<size_t>(n));
  return true;
}

std::string RawSocket::ReadUntilClosed(std::chrono::milliseconds timeout) {
  std::string out;
  const auto until = steady_clock::now() + timeout;
  while (ReadSome(&out, until)) {
  }
  return out;
}

std::string RawSocket::ReadUntil(const std::string& marker, std::chrono::milliseconds timeout) {
  std::string out;
  const auto until = steady_clock::now() + timeout;
  while (out.find(marker) == std::string::npos && ReadSome(&out, until)) {
  }
  return out;
}

bool RawSocket::ClosedByPeer(std::chrono::milliseconds timeout) {
  std::string ignored;
  const auto until = steady_clock::now() + timeout;
  while (ReadSome(&ignored, until)) ignored.clear();
  return peer_closed_;
}

RawResponse ParseResponse(const std::string& received) {
  RawResponse r;
  const size_t end = received.find("\r\n\r\n");
  if (end == std::string::npos || received.rfind("HTTP/1.1 ", 0) != 0) return r;
  r.status = std::atoi(received.c_str() + 9);
  r.head = received.substr(0, end);
  std::string lower = r.head;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t at = end + 4;
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    for (;;) {
      const size_t line = received.find("\r\n", at);
      if (line == std::string::npos) return r;
      const size_t size = std::strtoul(received.c_str() + at, nullptr, 16);
      at = line + 2;
      if (size == 0) {
        r.complete = true;
        return r;
      }
      if (at + size > received.size()) return r;
      r.body.append(received, at, size);
      at += size + 2;
    }
  }
  const size_t cl = lower.find("content-length: ");
  const size_t length =
      cl == std::string::npos ? 0 : std::strtoul(lower.c_str() + cl + 16, nullptr, 10);
  r.body = received.substr(at, length);
  r.complete = r.body.size() == length;
  return r;
}

}  // namespace onair::test
