#include "media/test_pattern.h"

#include <cmath>
#include <cstring>
#include <string>

extern "C" {
#include <libavutil/frame.h>
}

namespace onair::media {

namespace {

// 5x7 glyphs, one byte per row, the low 5 bits are the pixels (bit 4 = leftmost).
struct Glyph {
  char c;
  uint8_t rows[7];
};
constexpr Glyph kGlyphs[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {'#', {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {' ', {0, 0, 0, 0, 0, 0, 0}},
};

const Glyph* FindGlyph(char c) {
  for (const Glyph& g : kGlyphs) {
    if (g.c == c) return &g;
  }
  return nullptr;
}

struct Yuv {
  uint8_t y, u, v;
};
// 75% colour bars, BT.601 limited range.
constexpr Yuv kBars[] = {{180, 128, 128}, {162, 44, 142}, {131, 156, 44}, {112, 72, 58},
                         {84, 184, 198},  {65, 100, 212}, {35, 212, 114}};

void FillRect(AVFrame* f, int x0, int y0, int w, int h, Yuv c) {
  const int x1 = std::min(f->width, x0 + w), y1 = std::min(f->height, y0 + h);
  x0 = std::max(0, x0);
  y0 = std::max(0, y0);
  if (x1 <= x0 || y1 <= y0) return;
  for (int y = y0; y < y1; ++y) std::memset(f->data[0] + y * f->linesize[0] + x0, c.y, x1 - x0);
  for (int y = y0 / 2; y < (y1 + 1) / 2; ++y) {
    std::memset(f->data[1] + y * f->linesize[1] + x0 / 2, c.u, (x1 + 1) / 2 - x0 / 2);
    std::memset(f->data[2] + y * f->linesize[2] + x0 / 2, c.v, (x1 + 1) / 2 - x0 / 2);
  }
}

// Draws text in luma only (white on whatever is below), `scale` pixels per font dot.
void DrawText(AVFrame* f, int x, int y, int scale, const std::string& text) {
  for (char ch : text) {
    const Glyph* g = FindGlyph(ch);
    if (g) {
      for (int row = 0; row < 7; ++row) {
        for (int col = 0; col < 5; ++col) {
          if (!(g->rows[row] & (0x10 >> col))) continue;
          const int px = x + col * scale, py = y + row * scale;
          for (int dy = 0; dy < scale && py + dy < f->height; ++dy) {
            if (py + dy < 0 || px < 0) continue;
            const int n = std::min(scale, f->width - px);
            if (n > 0) std::memset(f->data[0] + (py + dy) * f->linesize[0] + px, 235, n);
          }
        }
      }
    }
    x += 6 * scale;
  }
}

}  // namespace

TestPattern::TestPattern(TestPatternFormat format) : format_(format) {
  background_ = BlackPicture(format_.width, format_.height);
  AVFrame* f = background_.av();
  const int bar_w = (format_.width + 6) / 7;
  const int bars_h = format_.height * 2 / 3;
  for (int i = 0; i < 7; ++i) FillRect(f, i * bar_w, 0, bar_w, bars_h, kBars[i]);
  // A luma ramp below the bars.
  for (int y = bars_h; y < format_.height; ++y) {
    for (int x = 0; x < format_.width; ++x) {
      f->data[0][y * f->linesize[0] + x] = static_cast<uint8_t>(16 + 219 * x / format_.width);
    }
  }
}

bool TestPattern::IsFlash(int64_t index) const {
  const FrameGrid grid = FrameGrid::ForFrameRate(format_.fps);
  const int64_t second = grid.SegmentOf(index, 1000000);
  return grid.FirstIndexOfSegment(second, 1000000) == index;
}

Frame TestPattern::Picture(int64_t index, UtcMicros capture_utc) const {
  Frame out = background_.Clone();
  AVFrame* f = out.av();
  const int w = format_.width, h = format_.height;
  if (IsFlash(index)) {
    FillRect(f, 0, 0, w, h, {235, 128, 128});
  }
  // A box that crosses the picture in about two seconds.
  const int box = std::max(8, h / 8);
  const double fps = format_.fps.ToDouble();
  const int64_t travel = std::max(1, w - box);
  const int64_t step = std::max<int64_t>(1, static_cast<int64_t>(travel / (2.0 * fps)));
  const int64_t pos = (index * step) % (2 * travel);
  const int x = static_cast<int>(pos < travel ? pos : 2 * travel - pos);
  FillRect(f, x, h * 2 / 3 - box / 2, box, box, {235, 128, 128});

  // The burnt-in capture clock and frame number on a black band.
  const int scale = std::max(1, h / 90);
  const int64_t secs = capture_utc / 1000000;
  const int64_t ms = (capture_utc / 1000) % 1000;
  char clock[64];
  std::snprintf(clock, sizeof clock, "%02d:%02d:%02d.%03d", static_cast<int>((secs / 3600) % 24),
                static_cast<int>((secs / 60) % 60), static_cast<int>(secs % 60),
                static_cast<int>(ms));
  const std::string counter = "#" + std::to_string(index);
  const int band_h = 7 * scale * 2 + 3 * scale;
  const int band_w = std::min(
      w, static_cast<int>(std::max(std::strlen(clock), counter.size())) * 6 * scale + 2 * scale);
  const int bx = (w - band_w) / 2, by = h / 3 - band_h / 2;
  FillRect(f, bx, by, band_w, band_h, {16, 128, 128});
  DrawText(f, bx + scale, by + scale, scale, clock);
  DrawText(f, bx + scale, by + 9 * scale, scale, counter);
  return out;
}

Frame TestPattern::Tone(int64_t first, int count) const {
  Frame out = Silence(count, format_.sample_rate, format_.channels);
  AVFrame* f = out.av();
  const int64_t rate = format_.sample_rate;
  const int64_t beep_len = rate * kBeepMillis / 1000;
  for (int i = 0; i < count; ++i) {
    const int64_t s = first + i;
    int64_t in_second = s % rate;
    if (in_second < 0) in_second += rate;
    const bool beep = in_second < beep_len;
    // 440 Hz and 1 kHz complete whole cycles every second, so the phase only needs the
    // position inside the second: no precision loss at epoch-scale sample numbers.
    const double freq = beep ? 1000.0 : 440.0;
    const double amp = beep ? kBeepAmplitude : kToneAmplitude;
    const float v = static_cast<float>(
        amp * std::sin(2.0 * M_PI * freq * static_cast<double>(in_second) / rate));
    for (int c = 0; c < format_.channels; ++c) reinterpret_cast<float*>(f->extended_data[c])[i] = v;
  }
  return out;
}

}  // namespace onair::media
