// What the player reads from the network: MPDs (any bytes give a presentation with a segment
// duration and a base URL per edge, or an error), init segments, and media segments arriving
// in pieces (any split of any bytes gives whole chunks with sane times, or an error).
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "media/fmp4.h"
#include "player/mpd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto mpd = onair::player::ParseMpd(text, "http://play.example/v1/playback/e");
  if (mpd.ok()) {
    FUZZ_CHECK(!mpd->base_urls.empty());
    for (const auto& b : mpd->base_urls) FUZZ_CHECK(!b.url.empty() && b.url.back() == '/');
    FUZZ_CHECK(!mpd->sets.empty());
    for (const auto& s : mpd->sets) {
      FUZZ_CHECK(s.segments.duration > 0 && s.segments.timescale > 0);
      FUZZ_CHECK(!s.representations.empty());
      for (const auto& r : s.representations) {
        (void)onair::player::ExpandTemplate(s.segments.media, r, 123);
      }
    }
  } else {
    FUZZ_CHECK(!mpd.status().message().empty());
  }
  auto init = onair::media::ReadInit(text);
  FUZZ_CHECK(!init.ok() || init->timescale > 0);
  // The same bytes as a media segment, cut into pieces of sizes taken from the bytes.
  // A virtual viewer's reader (no media kept) beside it: the same chunks, timing and sizes.
  onair::media::ChunkReader reader({90000, 3000});
  onair::media::ChunkReader timing({90000, 3000}, /*keep_media=*/false);
  std::vector<onair::media::Chunk> chunks, timed;
  size_t at = 0, fed = 0;
  bool both = true;
  while (at < size) {
    const size_t piece = 1 + data[at] % 97;
    const size_t n = std::min(piece, size - at);
    const bool ok = reader.Push(text.substr(at, n), &chunks).ok();
    both = both && timing.Push(text.substr(at, n), &timed).ok() && ok;
    if (!ok) break;
    at += n;
    fed = at;
  }
  if (both) {
    FUZZ_CHECK(timed.size() == chunks.size() && timing.pending_bytes() == reader.pending_bytes());
    for (size_t k = 0; k < chunks.size(); ++k) {
      FUZZ_CHECK(timed[k].decode_time == chunks[k].decode_time &&
                 timed[k].duration == chunks[k].duration && timed[k].size == chunks[k].size &&
                 chunks[k].size == chunks[k].bytes.size());
    }
  }
  size_t in_chunks = 0;
  for (const auto& c : chunks) {
    FUZZ_CHECK(c.decode_time >= 0 && c.duration >= 0 && c.samples >= 0);
    in_chunks += c.bytes.size();
  }
  FUZZ_CHECK(in_chunks + reader.pending_bytes() <= size);
  (void)fed;
  return 0;
}
