// ISO BMFF (MP4) box walking over bytes that may come from the network: every read is
// bounds-checked, 64-bit sizes and size 0 ("to the end") are understood. No libav here, so
// the origin's checks and the fuzz targets use it without FFmpeg.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace onair::media::bmff {

struct Box {
  char type[4] = {0, 0, 0, 0};
  size_t payload = 0;  // offset of the payload in the buffer
  size_t end = 0;      // offset just past the box
  bool Is(const char* fourcc) const;
  size_t payload_size() const { return end - payload; }
};

// The boxes in bytes[begin, end); false if one does not fit.
bool Children(const std::string& bytes, size_t begin, size_t end, std::vector<Box>* out);
// The first box of `type` in a list, or nullptr.
const Box* Find(const std::vector<Box>& boxes, const char* type);
// Descends from `from` through the first child of each type in `path`.
std::optional<Box> Path(const std::string& bytes, const Box& from,
                        std::initializer_list<const char*> path);
// Big-endian unsigned integer of `n` bytes at `at` (the caller checked the bounds).
uint64_t ReadBE(const std::string& bytes, size_t at, int n);

// baseMediaDecodeTime of a tfdt box (versions 0 and 1).
std::optional<uint64_t> TfdtTime(const std::string& bytes, const Box& tfdt);
// The timescale of an mdhd box (versions 0 and 1); nullopt if short or 0.
std::optional<uint32_t> MdhdTimescale(const std::string& bytes, const Box& mdhd);

}  // namespace onair::media::bmff
