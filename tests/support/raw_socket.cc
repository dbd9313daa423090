#include "support/raw_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

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

}  // namespace onair::test
